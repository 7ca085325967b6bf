package io.groupai.fleet.node.sessions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Recognises Pyrogram and Telethon {@code .session} files (SQLite databases) and reads their dc id
 * and user id, so the operator can be told which account it was. TDLib cannot import their auth
 * keys, so nothing else is read: the auth key is never touched or logged.
 *
 * <p>This is a deliberately small, read-only reader of the SQLite file format (header, table
 * b-trees, overflow pages, records) instead of a JDBC driver with native libraries in the node's
 * distribution. It reads only {@code sqlite_master} and the first row of {@code sessions}.
 */
public final class ForeignSessionReader {

    static final byte[] SQLITE_MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    /** Real session files are tens of kilobytes; anything larger is not read into memory. */
    static final int MAX_BYTES = 32 * 1024 * 1024;

    /** {@code format} is {@code pyrogram}, {@code telethon} or {@code sqlite} (unknown schema). */
    public record ForeignSession(String format, Integer dcId, Long userId) {
    }

    private ForeignSessionReader() {
    }

    public static boolean isSqlite(byte[] start) {
        return start.length >= SQLITE_MAGIC.length && Arrays.equals(Arrays.copyOf(start, SQLITE_MAGIC.length), SQLITE_MAGIC);
    }

    public static boolean isSqlite(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return isSqlite(in.readNBytes(SQLITE_MAGIC.length));
        }
    }

    /** Reads an SQLite file already known to start with the magic; never throws on odd content. */
    public static ForeignSession read(byte[] db) {
        try {
            return new Reader(db).session();
        } catch (RuntimeException e) {
            // Truncated or unusual files: still an SQLite session, just without readable metadata.
            return new ForeignSession("sqlite", null, null);
        }
    }

    public static ForeignSession read(Path file) throws IOException {
        if (Files.size(file) > MAX_BYTES) {
            return new ForeignSession("sqlite", null, null);
        }
        return read(Files.readAllBytes(file));
    }

    private static final class Reader {
        final byte[] db;
        final int pageSize;
        final int usable;

        Reader(byte[] db) {
            this.db = db;
            int ps = u16(16);
            this.pageSize = ps == 1 ? 65536 : ps;
            this.usable = pageSize - (db[20] & 0xff);
            if (pageSize < 512 || Integer.bitCount(pageSize) != 1) {
                throw new IllegalStateException("bad page size");
            }
        }

        ForeignSession session() {
            // sqlite_master: type, name, tbl_name, rootpage, sql
            Long root = null;
            String sql = null;
            for (Row row : rows(1, Integer.MAX_VALUE)) {
                if ("table".equals(row.values.get(0)) && "sessions".equalsIgnoreCase(String.valueOf(row.values.get(1)))) {
                    root = (Long) row.values.get(3);
                    sql = (String) row.values.get(4);
                }
            }
            if (root == null || sql == null) {
                return new ForeignSession("sqlite", null, null);
            }
            List<String> columns = columns(sql);
            String format = columns.contains("server_address") ? "telethon"
                    : columns.contains("user_id") || columns.contains("api_id") ? "pyrogram" : "sqlite";
            List<Row> first = rows(root.intValue(), 1);
            if (first.isEmpty()) {
                return new ForeignSession(format, null, null);
            }
            Row row = first.get(0);
            Long dc = number(row, columns, "dc_id", sql);
            Long user = number(row, columns, "user_id", sql);
            return new ForeignSession(format, dc == null ? null : dc.intValue(), user);
        }

        /** A column declared INTEGER PRIMARY KEY is stored as NULL in the record: its value is the rowid. */
        private static Long number(Row row, List<String> columns, String name, String sql) {
            int i = columns.indexOf(name);
            if (i < 0) {
                return null;
            }
            Object v = i < row.values.size() ? row.values.get(i) : null;
            if (v == null && sql.toLowerCase(Locale.ROOT).matches("(?s).*\\b" + name + "\\s+integer\\s+primary\\s+key.*")) {
                return row.rowid;
            }
            return v instanceof Long l ? l : null;
        }

        static List<String> columns(String createSql) {
            int open = createSql.indexOf('(');
            int close = createSql.lastIndexOf(')');
            List<String> cols = new ArrayList<>();
            if (open < 0 || close < open) {
                return cols;
            }
            int depth = 0;
            StringBuilder part = new StringBuilder();
            for (char c : createSql.substring(open + 1, close).toCharArray()) {
                if (c == '(') depth++;
                if (c == ')') depth--;
                if (c == ',' && depth == 0) {
                    addColumn(cols, part.toString());
                    part.setLength(0);
                } else {
                    part.append(c);
                }
            }
            addColumn(cols, part.toString());
            return cols;
        }

        private static void addColumn(List<String> cols, String def) {
            String[] words = def.strip().split("\\s+");
            if (words.length == 0 || words[0].isEmpty()) {
                return;
            }
            String first = words[0].replaceAll("[\"`\\[\\]']", "").toLowerCase(Locale.ROOT);
            if (!List.of("primary", "unique", "check", "foreign", "constraint").contains(first)) {
                cols.add(first);
            }
        }

        record Row(long rowid, List<Object> values) {
        }

        /** In-order rows of the table b-tree rooted at {@code page}, at most {@code limit}. */
        List<Row> rows(int page, int limit) {
            List<Row> out = new ArrayList<>();
            walk(page, limit, out, 0);
            return out;
        }

        private void walk(int page, int limit, List<Row> out, int depth) {
            if (depth > 20 || out.size() >= limit) {
                return;
            }
            int base = (page - 1) * pageSize;
            int hdr = page == 1 ? base + 100 : base;
            int type = db[hdr] & 0xff;
            int cells = u16(hdr + 3);
            if (type == 0x05) { // interior table page: left children, then the right-most pointer
                for (int i = 0; i < cells && out.size() < limit; i++) {
                    int cell = base + u16(hdr + 12 + 2 * i);
                    walk((int) u32(cell), limit, out, depth + 1);
                }
                walk((int) u32(hdr + 8), limit, out, depth + 1);
            } else if (type == 0x0d) { // leaf table page
                for (int i = 0; i < cells && out.size() < limit; i++) {
                    out.add(leafCell(base + u16(hdr + 8 + 2 * i)));
                }
            } else {
                throw new IllegalStateException("not a table b-tree page: " + type);
            }
        }

        private Row leafCell(int pos) {
            long[] v = varint(pos);
            long payloadSize = v[0];
            pos += (int) v[1];
            v = varint(pos);
            long rowid = v[0];
            pos += (int) v[1];
            byte[] payload = payload(pos, (int) payloadSize);
            return new Row(rowid, record(payload));
        }

        /** The cell's payload, following overflow pages when it does not fit the page. */
        private byte[] payload(int pos, int size) {
            int maxLocal = usable - 35;
            int minLocal = ((usable - 12) * 32 / 255) - 23;
            int local = size;
            if (size > maxLocal) {
                int k = minLocal + ((size - minLocal) % (usable - 4));
                local = k <= maxLocal ? k : minLocal;
            }
            byte[] out = new byte[size];
            System.arraycopy(db, pos, out, 0, local);
            int done = local;
            long next = local < size ? u32(pos + local) : 0;
            while (done < size && next != 0) {
                int base = (int) ((next - 1) * pageSize);
                int n = Math.min(size - done, usable - 4);
                System.arraycopy(db, base + 4, out, done, n);
                done += n;
                next = u32(base);
            }
            return out;
        }

        private static List<Object> record(byte[] p) {
            long[] h = varint(p, 0);
            int headerSize = (int) h[0];
            int hp = (int) h[1];
            int dp = headerSize;
            List<Object> values = new ArrayList<>();
            while (hp < headerSize) {
                long[] t = varint(p, hp);
                hp += (int) t[1];
                long serial = t[0];
                if (serial == 0) {
                    values.add(null);
                } else if (serial >= 1 && serial <= 6) {
                    int len = serial <= 4 ? (int) serial : serial == 5 ? 6 : 8;
                    long value = p[dp]; // sign-extended big-endian integer
                    for (int i = 1; i < len; i++) {
                        value = (value << 8) | (p[dp + i] & 0xff);
                    }
                    values.add(value);
                    dp += len;
                } else if (serial == 7) {
                    values.add(null); // floats are of no interest here
                    dp += 8;
                } else if (serial == 8 || serial == 9) {
                    values.add(serial == 8 ? 0L : 1L);
                } else if (serial >= 12) {
                    int len = (int) ((serial - (serial % 2 == 0 ? 12 : 13)) / 2);
                    // Blobs (the auth key) are skipped, never copied out.
                    values.add(serial % 2 == 1 ? new String(p, dp, len, StandardCharsets.UTF_8) : null);
                    dp += len;
                } else {
                    values.add(null);
                }
            }
            return values;
        }

        private long[] varint(int pos) {
            return varint(db, pos);
        }

        /** SQLite varint: {value, length}. */
        private static long[] varint(byte[] b, int pos) {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                int x = b[pos + i] & 0xff;
                v = (v << 7) | (x & 0x7f);
                if ((x & 0x80) == 0) {
                    return new long[] {v, i + 1};
                }
            }
            return new long[] {(v << 8) | (b[pos + 8] & 0xff), 9};
        }

        private int u16(int pos) {
            return ((db[pos] & 0xff) << 8) | (db[pos + 1] & 0xff);
        }

        private long u32(int pos) {
            return ((long) (db[pos] & 0xff) << 24) | ((db[pos + 1] & 0xff) << 16) | ((db[pos + 2] & 0xff) << 8) | (db[pos + 3] & 0xff);
        }
    }

    /** For messages: "Pyrogram" / "Telethon" / "SQLite". */
    public static String displayName(String format) {
        return switch (format) {
            case "pyrogram" -> "Pyrogram";
            case "telethon" -> "Telethon";
            default -> "SQLite (Pyrogram/Telethon-like)";
        };
    }

    static Optional<ForeignSession> detect(byte[] content) {
        return isSqlite(content) ? Optional.of(read(content)) : Optional.empty();
    }
}
