package io.groupai.fleet.sessionformat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a zip's central directory, including what {@code java.util.zip} does not expose: the Unix
 * mode in the external attributes, needed to refuse symbolic links before anything is unpacked.
 */
public final class ZipCentralDirectory {

    public record Entry(String name, boolean directory, boolean symlink, long uncompressedSize) {}

    private static final int EOCD_SIG = 0x06054b50;
    private static final int CEN_SIG = 0x02014b50;
    static final int MAX_ENTRIES = 200_000;

    private ZipCentralDirectory() {}

    /** @throws IOException when the file is not a readable zip (the message says why) */
    public static List<Entry> read(Path zip) throws IOException {
        try (FileChannel ch = FileChannel.open(zip, StandardOpenOption.READ)) {
            long size = ch.size();
            int tailLen = (int) Math.min(size, 22 + 65535);
            ByteBuffer tail = ByteBuffer.allocate(tailLen).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(tail, size - tailLen);
            int eocd = -1;
            for (int i = tailLen - 22; i >= 0; i--) {
                if (tail.getInt(i) == EOCD_SIG) {
                    eocd = i;
                    break;
                }
            }
            if (eocd < 0) {
                throw new IOException("not a zip archive (no end of central directory)");
            }
            int entries = Short.toUnsignedInt(tail.getShort(eocd + 10));
            long cdSize = Integer.toUnsignedLong(tail.getInt(eocd + 12));
            long cdOffset = Integer.toUnsignedLong(tail.getInt(eocd + 16));
            if (entries == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
                throw new IOException("ZIP64 archives are not accepted (a session archive is far below 4 GB)");
            }
            if (entries > MAX_ENTRIES || cdOffset + cdSize > size || cdSize > 64L * 1024 * 1024) {
                throw new IOException("zip central directory is out of bounds or too large");
            }
            ByteBuffer cd = ByteBuffer.allocate((int) cdSize).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(cd, cdOffset);
            List<Entry> out = new ArrayList<>(entries);
            int p = 0;
            for (int i = 0; i < entries; i++) {
                if (p + 46 > cdSize || cd.getInt(p) != CEN_SIG) {
                    throw new IOException("corrupt zip central directory at entry " + i);
                }
                int madeBy = Short.toUnsignedInt(cd.getShort(p + 4)) >>> 8;
                long uncompressed = Integer.toUnsignedLong(cd.getInt(p + 24));
                int nameLen = Short.toUnsignedInt(cd.getShort(p + 28));
                int extraLen = Short.toUnsignedInt(cd.getShort(p + 30));
                int commentLen = Short.toUnsignedInt(cd.getShort(p + 32));
                long external = Integer.toUnsignedLong(cd.getInt(p + 38));
                if (p + 46 + nameLen > cdSize) {
                    throw new IOException("corrupt zip central directory at entry " + i);
                }
                String name = new String(cd.array(), p + 46, nameLen, StandardCharsets.UTF_8);
                int unixMode = madeBy == 3 ? (int) (external >>> 16) : 0; // 3 = Unix host
                boolean symlink = (unixMode & 0xF000) == 0xA000;
                boolean dir = name.endsWith("/") || (unixMode & 0xF000) == 0x4000;
                out.add(new Entry(name, dir, symlink, uncompressed));
                p += 46 + nameLen + extraLen + commentLen;
            }
            return out;
        }
    }
}
