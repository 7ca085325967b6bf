package io.groupai.fleet.sessionformat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/** Recognises Pyrogram/Telethon sessions (SQLite) and reads their dc and user id, read-only. */
public final class ForeignSessions {

    /** SQLite files larger than this are not opened (a session file is a few KB). */
    public static final long MAX_BYTES = 32L * 1024 * 1024;

    private static final byte[] SQLITE_MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    private ForeignSessions() {}

    public static boolean isSqlite(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(SQLITE_MAGIC.length), SQLITE_MAGIC);
        }
    }

    /** The foreign session in {@code file}, or empty when it is not an SQLite file. Never fails on odd content. */
    public static Optional<ForeignSession> detect(Path file) throws IOException {
        if (!isSqlite(file)) {
            return Optional.empty();
        }
        if (Files.size(file) > MAX_BYTES) {
            return Optional.of(new ForeignSession("sqlite", null, null));
        }
        return Optional.of(read(file));
    }

    /** Same as {@link #detect(Path)} for content in a stream (e.g. a zip entry), read up to {@link #MAX_BYTES}. */
    public static Optional<ForeignSession> detect(InputStream content) throws IOException {
        Path temp = Files.createTempFile("foreign-session-", ".sqlite");
        try {
            try (InputStream in = content) {
                Files.write(temp, in.readNBytes((int) MAX_BYTES));
            }
            return detect(temp);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static ForeignSession read(Path file) {
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:file:" + file.toAbsolutePath() + "?mode=ro");
                Statement statement = db.createStatement()) {
            Set<String> columns = new HashSet<>();
            try (ResultSet rs = statement.executeQuery("PRAGMA table_info(sessions)")) {
                while (rs.next()) {
                    columns.add(rs.getString("name"));
                }
            }
            if (!columns.contains("dc_id") || !columns.contains("auth_key")) {
                return new ForeignSession("sqlite", null, null);
            }
            // Pyrogram keeps the user id beside the key; Telethon keeps its server address there instead.
            boolean pyrogram = columns.contains("user_id");
            try (ResultSet rs = statement.executeQuery(
                    pyrogram ? "SELECT dc_id, user_id FROM sessions LIMIT 1" : "SELECT dc_id FROM sessions LIMIT 1")) {
                String format = pyrogram ? "pyrogram" : "telethon";
                if (!rs.next()) {
                    return new ForeignSession(format, null, null);
                }
                return new ForeignSession(format, rs.getInt(1), pyrogram ? rs.getLong(2) : null);
            }
        } catch (SQLException truncatedOrCorrupt) {
            // Still recognisably SQLite, just without readable metadata.
            return new ForeignSession("sqlite", null, null);
        }
    }
}
