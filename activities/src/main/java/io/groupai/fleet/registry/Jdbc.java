package io.groupai.fleet.registry;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/** Null-aware column reads shared by the repositories. */
final class Jdbc {

    private Jdbc() {}

    /** Chunk size of {@code IN (...)} lists: well under every driver's parameter limit. */
    static final int IN_LIST_CHUNK = 500;

    /** Runs {@code query} once per chunk of at most 500 values, with that chunk's "?, ?, ..." list. */
    static <T> void inChunks(
            java.util.Collection<T> values, java.util.function.BiConsumer<String, java.util.List<T>> query) {
        java.util.List<T> all = java.util.List.copyOf(values);
        for (int from = 0; from < all.size(); from += IN_LIST_CHUNK) {
            java.util.List<T> chunk = all.subList(from, Math.min(all.size(), from + IN_LIST_CHUNK));
            query.accept(String.join(", ", java.util.Collections.nCopies(chunk.size(), "?")), chunk);
        }
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }

    static Double nullableDouble(ResultSet rs, String column) throws SQLException {
        double value = rs.getDouble(column);
        return rs.wasNull() ? null : value;
    }

    static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    static Boolean nullableBoolean(ResultSet rs, String column) throws SQLException {
        boolean value = rs.getBoolean(column);
        return rs.wasNull() ? null : value;
    }
}
