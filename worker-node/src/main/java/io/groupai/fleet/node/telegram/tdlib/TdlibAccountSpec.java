package io.groupai.fleet.node.telegram.tdlib;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One account's TDLib client: its id (for logs and lookups), where TDLib keeps its data and the key
 * its database is encrypted with.
 *
 * @param databaseDirectory the session: TDLib's database directory, e.g. {@code <deploy_dir>/sessions/<id>/td}
 * @param filesDirectory    downloaded/uploaded files, kept apart so a session export stays small
 * @param databaseKey       TDLib's {@code database_encryption_key}, base64 (empty: unencrypted, tests only); a
 *                          secret, hidden from {@link #toString}
 */
public record TdlibAccountSpec(String accountId, Path databaseDirectory, Path filesDirectory, String databaseKey) {

    public TdlibAccountSpec {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(databaseDirectory, "databaseDirectory");
        Objects.requireNonNull(filesDirectory, "filesDirectory");
        databaseKey = databaseKey == null ? "" : databaseKey;
    }

    /** Files next to the database directory: {@code <dir>/../files}. */
    public static TdlibAccountSpec of(String accountId, Path databaseDirectory, String databaseKey) {
        Path db = databaseDirectory.toAbsolutePath().normalize();
        Path parent = db.getParent() != null ? db.getParent() : db;
        return new TdlibAccountSpec(accountId, db, parent.resolve("files"), databaseKey);
    }

    /** Without a database key (unencrypted): for tests of the client itself. */
    public static TdlibAccountSpec of(String accountId, Path databaseDirectory) {
        return of(accountId, databaseDirectory, "");
    }

    @Override
    public String toString() {
        return "TdlibAccountSpec[accountId=" + accountId + ", databaseDirectory=" + databaseDirectory
                + ", filesDirectory=" + filesDirectory + ", databaseKey="
                + (databaseKey.isEmpty() ? "none" : "<hidden>")
                + "]";
    }
}
