package io.groupai.fleet.sessionformat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The one check of a session archive, run by the control plane on upload and by the agent before it
 * unpacks: a readable zip, at most {@link #MAX_ENTRIES} entries, safe and unique entry names
 * (zip-slip), no symbolic links, the declared and the really unpacked size within the limit (zip bombs
 * lie in their headers), and the TDLib layout ({@link SessionArchiveLayout}). A Pyrogram/Telethon
 * {@code .session} inside the zip is recognised. Each side words the problem for its own callers.
 */
public final class SessionArchives {

    public static final int MAX_ENTRIES = 20_000;

    public enum Problem {
        NOT_A_ZIP,
        TOO_MANY_ENTRIES,
        UNSAFE_ENTRY,
        SYMLINK,
        DUPLICATE_ENTRY,
        TOO_LARGE,
        EMPTY,
        FOREIGN_SESSION,
        NOT_TDLIB
    }

    /** What a valid archive holds. */
    public record Contents(int entries, long unpackedBytes) {}

    /** Why an archive is refused: the problem, the entry concerned (printable) and the details. */
    public static final class InvalidArchiveException extends Exception {
        private final Problem problem;
        private final String entry;
        private final String reason;
        private final long bytes;
        private final ForeignSession foreign;

        InvalidArchiveException(Problem problem, String entry, String reason, long bytes, ForeignSession foreign) {
            super(problem + (entry == null ? "" : " '" + entry + "'") + (reason == null ? "" : ": " + reason));
            this.problem = problem;
            this.entry = entry;
            this.reason = reason;
            this.bytes = bytes;
            this.foreign = foreign;
        }

        public Problem problem() {
            return problem;
        }

        /** The entry name with control characters replaced, or null. */
        public String entry() {
            return entry;
        }

        /** For NOT_A_ZIP why it is unreadable, for UNSAFE_ENTRY why the name is unsafe; else null. */
        public String reason() {
            return reason;
        }

        /** For TOO_LARGE: how many bytes it unpacks to at least. */
        public long bytes() {
            return bytes;
        }

        /** For FOREIGN_SESSION: what was found. */
        public ForeignSession foreign() {
            return foreign;
        }
    }

    private SessionArchives() {}

    /**
     * @throws InvalidArchiveException when the archive is not an acceptable session
     * @throws IOException             when the file cannot be read
     */
    public static Contents check(Path zip, long maxUnpackedBytes) throws IOException, InvalidArchiveException {
        List<ZipCentralDirectory.Entry> entries;
        try {
            entries = ZipCentralDirectory.read(zip);
        } catch (IOException e) {
            throw invalid(Problem.NOT_A_ZIP, null, e.getMessage());
        }
        if (entries.size() > MAX_ENTRIES) {
            throw invalid(Problem.TOO_MANY_ENTRIES, null, null);
        }
        Set<String> names = new HashSet<>();
        long declared = 0;
        boolean binlog = false;
        String sessionFile = null;
        for (ZipCentralDirectory.Entry e : entries) {
            checkName(e.name());
            if (e.symlink()) {
                throw invalid(Problem.SYMLINK, e.name(), null);
            }
            if (!names.add(e.name())) {
                throw invalid(Problem.DUPLICATE_ENTRY, e.name(), null);
            }
            declared += e.uncompressedSize();
            String clean = withoutDotSlash(e.name());
            binlog |= !e.directory() && SessionArchiveLayout.isBinlog(clean);
            if (!e.directory()
                    && sessionFile == null
                    && clean.toLowerCase(Locale.ROOT).endsWith(".session")) {
                sessionFile = e.name();
            }
        }
        if (declared > maxUnpackedBytes) {
            throw new InvalidArchiveException(Problem.TOO_LARGE, null, null, declared, null);
        }
        if (entries.isEmpty()) {
            throw invalid(Problem.EMPTY, null, null);
        }
        try (ZipFile file = new ZipFile(zip.toFile())) {
            if (!binlog) {
                throw notTdlib(file, sessionFile);
            }
            return new Contents(entries.size(), unpackedSize(file, maxUnpackedBytes));
        } catch (ZipException e) {
            throw invalid(Problem.NOT_A_ZIP, null, e.getMessage());
        }
    }

    /** A zip entry name as it is unpacked: leading "./" segments dropped. */
    public static String withoutDotSlash(String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        return n;
    }

    public static String printable(String name) {
        return name.replaceAll("\\p{Cntrl}", "?");
    }

    private static void checkName(String name) throws InvalidArchiveException {
        String unsafe = SessionArchiveLayout.unsafeEntryName(name);
        if (unsafe != null) {
            throw invalid(Problem.UNSAFE_ENTRY, name, unsafe);
        }
    }

    private static InvalidArchiveException notTdlib(ZipFile file, String sessionFile) throws IOException {
        if (sessionFile != null) {
            ZipEntry entry = file.getEntry(sessionFile);
            if (entry != null && entry.getSize() <= ForeignSessions.MAX_BYTES) {
                try (InputStream in = file.getInputStream(entry)) {
                    Optional<ForeignSession> found = ForeignSessions.detect(in);
                    if (found.isPresent()) {
                        return new InvalidArchiveException(
                                Problem.FOREIGN_SESSION, printable(sessionFile), null, 0, found.get());
                    }
                }
            }
        }
        return invalid(Problem.NOT_TDLIB, null, null);
    }

    /** Counts what really comes out, not what the headers claim; names are checked again as java.util.zip reads them. */
    private static long unpackedSize(ZipFile file, long max) throws IOException, InvalidArchiveException {
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        for (ZipEntry e : Collections.list(file.entries())) {
            checkName(e.getName());
            try (InputStream in = file.getInputStream(e)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    total += n;
                    if (total > max) {
                        throw new InvalidArchiveException(Problem.TOO_LARGE, null, null, total, null);
                    }
                }
            }
        }
        return total;
    }

    private static InvalidArchiveException invalid(Problem problem, String entry, String reason) {
        return new InvalidArchiveException(problem, entry == null ? null : printable(entry), reason, 0, null);
    }
}
