package io.groupai.fleet.sessions;

import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.sessionformat.ForeignSession;
import io.groupai.fleet.sessionformat.ForeignSessions;
import io.groupai.fleet.sessionformat.SessionArchives;
import io.groupai.fleet.sessionformat.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Decides whether an uploaded file is a session the fleet can run: a zip of a TDLib database
 * directory (it holds {@code td.binlog}) with safe entry names and a bounded unpacked size, checked by
 * {@link SessionArchives} exactly as the agent checks it before installing.
 * Pyrogram and Telethon {@code .session} files (SQLite) are recognised and their metadata read,
 * but refused: TDLib cannot import foreign auth keys, so such an account must log in again.
 */
@Component
public class SessionArchiveInspector {

    /** What an accepted archive holds. */
    public record Inspection(String format, int entries, long unpackedBytes, long sizeBytes, String sha256) {}

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
                throw invalid("is " + size + " bytes; the limit is " + properties.maxArchiveBytes()
                        + " (groupai.sessions.max-archive-bytes)");
            }
            byte[] head;
            try (InputStream in = Files.newInputStream(file)) {
                head = in.readNBytes(ZIP.length);
            }
            Optional<ForeignSession> foreign = ForeignSessions.detect(file);
            if (foreign.isPresent()) {
                if (foreign.get().format().equals("sqlite")) {
                    throw invalid(
                            "is an SQLite file but not a Pyrogram or Telethon session (no sessions table with dc_id and auth_key)");
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
        SessionArchives.Contents contents;
        try {
            contents = SessionArchives.check(file, properties.maxUnpackedBytes());
        } catch (SessionArchives.InvalidArchiveException e) {
            throw switch (e.problem()) {
                case NOT_A_ZIP -> invalid("is not a readable zip archive: " + e.reason());
                case TOO_MANY_ENTRIES -> invalid("holds more than " + SessionArchives.MAX_ENTRIES + " entries");
                case UNSAFE_ENTRY ->
                    invalid("holds the unsafe entry name '" + e.entry() + "', which " + e.reason()
                            + " (absolute paths, '..' and backslashes are refused)");
                case SYMLINK -> invalid("holds the entry '" + e.entry() + "', which is a symbolic link (refused)");
                case DUPLICATE_ENTRY -> invalid("holds the entry '" + e.entry() + "' twice");
                case TOO_LARGE ->
                    invalid("unpacks to more than " + properties.maxUnpackedBytes()
                            + " bytes (groupai.sessions.max-unpacked-bytes)");
                case EMPTY -> invalid("is an empty zip archive");
                case FOREIGN_SESSION -> new ForeignSessionException(e.foreign());
                case NOT_TDLIB ->
                    invalid(
                            "is a zip archive but not of a TDLib database directory (no td.binlog at its root or in db/); "
                                    + "zip the contents of the account's TDLib database directory, e.g. (cd td && zip -r ../session.zip .)");
            };
        }
        return new Inspection("tdlib", contents.entries(), contents.unpackedBytes(), size, Sha256.hex(file));
    }

    private static InvalidInputException invalid(String what) {
        return new InvalidInputException("session", "the uploaded session " + what);
    }
}
