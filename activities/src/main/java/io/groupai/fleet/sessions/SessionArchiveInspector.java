package io.groupai.fleet.sessions;

import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.sessionformat.ForeignSession;
import io.groupai.fleet.sessionformat.ForeignSessions;
import io.groupai.fleet.sessionformat.SessionArchiveLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import org.springframework.stereotype.Component;

/**
 * Decides whether an uploaded file is a session the fleet can run: a zip of a TDLib database
 * directory (it holds {@code td.binlog}) with safe entry names and a bounded unpacked size.
 * Pyrogram and Telethon {@code .session} files (SQLite) are recognised and their metadata read,
 * but refused: TDLib cannot import foreign auth keys, so such an account must log in again.
 */
@Component
public class SessionArchiveInspector {

    /** What an accepted archive holds. */
    public record Inspection(String format, int entries, long unpackedBytes, long sizeBytes, String sha256) {
    }

    /** Refused because it is a Pyrogram or Telethon session; HTTP 422 with what was found. */
    public static class ForeignSessionException extends RuntimeException {
        private final ForeignSession session;

        ForeignSessionException(ForeignSession session) {
            super(session.explanation("this"));
            this.session = session;
        }

        public String format() {
            return session.displayName();
        }

        public Integer dcId() {
            return session.dcId();
        }

        public Long userId() {
            return session.userId();
        }
    }

    private static final byte[] ZIP = {'P', 'K', 3, 4};
    private static final int MAX_ENTRIES = 20_000;

    private final SessionStoreProperties properties;

    public SessionArchiveInspector(SessionStoreProperties properties) {
        this.properties = properties;
    }

    /**
     * @throws InvalidInputException       for anything that is not a safe TDLib archive
     * @throws ForeignSessionException     for a Pyrogram/Telethon session
     */
    public Inspection inspect(Path file) {
        try {
            long size = Files.size(file);
            if (size > properties.maxArchiveBytes()) {
                throw invalid("is " + size + " bytes; the limit is " + properties.maxArchiveBytes() + " (groupai.sessions.max-archive-bytes)");
            }
            byte[] head;
            try (InputStream in = Files.newInputStream(file)) {
                head = in.readNBytes(ZIP.length);
            }
            Optional<ForeignSession> foreign = ForeignSessions.detect(file);
            if (foreign.isPresent()) {
                if (foreign.get().format().equals("sqlite")) {
                    throw invalid("is an SQLite file but not a Pyrogram or Telethon session (no sessions table with dc_id and auth_key)");
                }
                throw new ForeignSessionException(foreign.get());
            }
            if (!Arrays.equals(head, ZIP)) {
                throw invalid("is neither a zip of a TDLib database directory nor a recognised .session file");
            }
            return inspectZip(file, size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the uploaded session " + file, e);
        }
    }

    private Inspection inspectZip(Path file, long size) throws IOException {
        MessageDigest sha = sha256();
        int entries = 0;
        long unpacked = 0;
        boolean binlog = false;
        Set<String> names = new HashSet<>();
        byte[] buffer = new byte[64 * 1024];
        try (DigestInputStream digest = new DigestInputStream(Files.newInputStream(file), sha);
             ZipInputStream zip = new ZipInputStream(digest)) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                String name = entry.getName();
                checkName(name);
                if (!names.add(name)) {
                    throw invalid("holds the entry '" + name + "' twice");
                }
                if (++entries > MAX_ENTRIES) {
                    throw invalid("holds more than " + MAX_ENTRIES + " entries");
                }
                // Count what actually comes out, not what the header claims (zip bombs lie).
                int n;
                while ((n = zip.read(buffer)) > 0) {
                    unpacked += n;
                    if (unpacked > properties.maxUnpackedBytes()) {
                        throw invalid("unpacks to more than " + properties.maxUnpackedBytes()
                                + " bytes (groupai.sessions.max-unpacked-bytes)");
                    }
                }
                binlog |= !entry.isDirectory() && SessionArchiveLayout.isBinlog(name);
            }
            digest.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (ZipException e) {
            throw invalid("is not a readable zip archive: " + e.getMessage());
        }
        if (entries == 0) {
            throw invalid("is an empty zip archive");
        }
        if (!binlog) {
            throw invalid("is a zip archive but not of a TDLib database directory (no td.binlog at its root or in db/); "
                    + "zip the contents of the account's TDLib database directory, e.g. (cd td && zip -r ../session.zip .)");
        }
        return new Inspection("tdlib", entries, unpacked, size, HexFormat.of().formatHex(sha.digest()));
    }

    /** Entry names must stay inside the directory they are unpacked into (zip-slip). */
    private static void checkName(String name) {
        String unsafe = SessionArchiveLayout.unsafeEntryName(name);
        if (unsafe != null) {
            throw invalid("holds the unsafe entry name '" + name.replaceAll("\\p{Cntrl}", "?") + "', which " + unsafe
                    + " (absolute paths, '..' and backslashes are refused)");
        }
    }

    private static InvalidInputException invalid(String what) {
        return new InvalidInputException("session", "the uploaded session " + what);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
