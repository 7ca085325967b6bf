package io.groupai.fleet.app.sessions;

import io.groupai.fleet.registry.AccountRepository;
import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.sessions.SessionArchiveInspector;
import io.groupai.fleet.sessions.SessionArchiveInspector.Inspection;
import io.groupai.fleet.sessions.SessionStore;
import io.groupai.fleet.sessions.SessionStoreProperties;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code PUT /api/v1/group-ai/accounts/{account_id}/session} with the raw bytes of a zipped TDLib
 * database directory. Validated completely before anything is stored; a refused upload leaves
 * the previous session (if any) untouched.
 */
@RestController
class SessionUploadController {

    private static final Logger log = LoggerFactory.getLogger(SessionUploadController.class);

    record Stored(String accountId, String format, int entries, long unpackedBytes, long sizeBytes, String sha256) {}

    private final AccountRepository accounts;
    private final SessionStore store;
    private final SessionArchiveInspector inspector;
    private final SessionStoreProperties properties;

    SessionUploadController(
            AccountRepository accounts,
            SessionStore store,
            SessionArchiveInspector inspector,
            SessionStoreProperties properties) {
        this.accounts = accounts;
        this.store = store;
        this.inspector = inspector;
        this.properties = properties;
    }

    @PutMapping(
            path = "/api/v1/group-ai/accounts/{accountId}/session",
            consumes = {"application/zip", "application/octet-stream", "application/x-sqlite3"})
    Stored upload(@PathVariable String accountId, HttpServletRequest request) throws IOException {
        accounts.get(accountId);
        Path temp = store.newTempFile();
        try {
            copyBounded(request.getInputStream(), temp);
            Inspection inspection = inspector.inspect(temp);
            store.store(accountId, temp);
            log.info(
                    "stored the session of account {} ({} entries, {} bytes)",
                    accountId,
                    inspection.entries(),
                    inspection.sizeBytes());
            return new Stored(
                    accountId,
                    inspection.format(),
                    inspection.entries(),
                    inspection.unpackedBytes(),
                    inspection.sizeBytes(),
                    inspection.sha256());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private void copyBounded(InputStream in, Path target) {
        long limit = properties.maxArchiveBytes();
        try (OutputStream out = Files.newOutputStream(target)) {
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > limit) {
                    throw new InvalidInputException(
                            "session",
                            "the upload is larger than " + limit + " bytes (groupai.sessions.max-archive-bytes)");
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the upload of a session was interrupted", e);
        }
    }
}
