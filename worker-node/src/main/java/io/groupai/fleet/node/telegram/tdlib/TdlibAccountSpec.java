package io.groupai.fleet.node.telegram.tdlib;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One account's TDLib client: its id (for logs and lookups) and where TDLib keeps its data.
 *
 * @param databaseDirectory the session: TDLib's database directory, e.g. {@code <deploy_dir>/sessions/<id>/td}
 * @param filesDirectory    downloaded/uploaded files, kept apart so a session export stays small
 */
public record TdlibAccountSpec(String accountId, Path databaseDirectory, Path filesDirectory) {

    public TdlibAccountSpec {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(databaseDirectory, "databaseDirectory");
        Objects.requireNonNull(filesDirectory, "filesDirectory");
    }

    /** Files next to the database directory: {@code <dir>/../files}. */
    public static TdlibAccountSpec of(String accountId, Path databaseDirectory) {
        Path db = databaseDirectory.toAbsolutePath().normalize();
        Path parent = db.getParent() != null ? db.getParent() : db;
        return new TdlibAccountSpec(accountId, db, parent.resolve("files"));
    }
}
