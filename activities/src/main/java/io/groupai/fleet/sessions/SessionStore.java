package io.groupai.fleet.sessions;

import io.groupai.fleet.sessionformat.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * The control plane's copy of each account's session: one archive per account,
 * {@code <dir>/<accountId>/session.zip} (a zipped TDLib database directory). Files are written
 * through a temporary name and moved into place, so a reader never sees half a session.
 */
@Component
public class SessionStore {

    public static final String ARCHIVE_NAME = "session.zip";
    private static final Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9_+-]{1,64}");

    private final Path dir;

    public SessionStore(SessionStoreProperties properties) {
        this.dir = properties.dir().toAbsolutePath().normalize();
    }

    /** The stored archive of an account, if there is one. */
    public Optional<Path> archive(String accountId) {
        Path file = accountDir(accountId).resolve(ARCHIVE_NAME);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** Moves a fully written and validated temporary file into place as the account's archive. */
    public Path store(String accountId, Path validatedTemp) {
        try {
            Path target = Files.createDirectories(accountDir(accountId)).resolve(ARCHIVE_NAME);
            AtomicFiles.move(validatedTemp, target);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the session of account " + accountId, e);
        }
    }

    /** A temporary file in the store's file system, so the final move is atomic. */
    public Path newTempFile() {
        try {
            return Files.createTempFile(Files.createDirectories(dir), ".upload-", ".tmp");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary file under " + dir, e);
        }
    }

    public Path accountDir(String accountId) {
        if (accountId == null || !ACCOUNT_ID.matcher(accountId).matches()) {
            throw new IllegalArgumentException("invalid account id: " + accountId);
        }
        return dir.resolve(accountId);
    }
}
