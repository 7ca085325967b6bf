package io.groupai.fleet.node;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** Builders for session archives. */
public final class TestFiles {

    private TestFiles() {}

    /** A zip with the given entries (name → content; a name ending in "/" is a directory). */
    public static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (var e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                if (!e.getKey().endsWith("/")) {
                    zip.write(e.getValue());
                }
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** A plausible TDLib database directory. */
    public static Map<String, byte[]> tdlibFiles() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("td.binlog", "binlog-bytes\u0000\u0001\u0002".getBytes(StandardCharsets.ISO_8859_1));
        m.put("db.sqlite", new byte[] {1, 2, 3, 4, 5});
        m.put("files/", new byte[0]);
        m.put("files/photo.jpg", "jpeg".repeat(1000).getBytes(StandardCharsets.US_ASCII));
        return m;
    }

    /**
     * Marks entry {@code name} as a Unix symbolic link in the central directory (ZipOutputStream
     * cannot), by setting "version made by" to Unix and the mode to 0120777.
     */
    public static byte[] markSymlink(byte[] zip, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + 46 + n.length <= zip.length; i++) {
            if (zip[i] == 0x50 && zip[i + 1] == 0x4b && zip[i + 2] == 0x01 && zip[i + 3] == 0x02) {
                int nameLen = (zip[i + 28] & 0xff) | (zip[i + 29] & 0xff) << 8;
                if (nameLen == n.length && java.util.Arrays.equals(zip, i + 46, i + 46 + nameLen, n, 0, n.length)) {
                    zip[i + 5] = 3; // made by Unix
                    int mode = 0120777;
                    long ext = ((long) mode) << 16;
                    for (int b = 0; b < 4; b++) {
                        zip[i + 38 + b] = (byte) (ext >>> (8 * b));
                    }
                    return zip;
                }
            }
        }
        throw new IllegalArgumentException("entry not found: " + name);
    }

    /** name → content of every file under {@code dir}. */
    public static Map<String, byte[]> tree(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        return out;
    }

    /** name → content of every file entry in a zip. */
    public static Map<String, byte[]> unzip(Path zip) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (!e.isDirectory()) {
                    out.put(e.getName(), in.readAllBytes());
                }
            }
        }
        return out;
    }
}
