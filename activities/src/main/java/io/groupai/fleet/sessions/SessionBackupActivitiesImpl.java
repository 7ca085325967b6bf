package io.groupai.fleet.sessions;

import io.groupai.fleet.allocation.SessionTransferActivitiesImpl;
import io.groupai.fleet.sessions.SessionStore.ArchiveInfo;
import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.backup.BackupCandidate;
import io.groupai.fleet.workflows.backup.BackupInfo;
import io.groupai.fleet.workflows.backup.SessionBackupActivities;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Session backups in the control plane's {@link SessionStore}; which accounts to back up, from the registry. */
@Component("sessionBackupActivities")
public class SessionBackupActivitiesImpl implements SessionBackupActivities {

    private static final Logger log = LoggerFactory.getLogger(SessionBackupActivitiesImpl.class);

    private final SessionStore store;
    private final SessionTransferActivitiesImpl transfer;
    private final JdbcClient jdbc;

    public SessionBackupActivitiesImpl(SessionStore store, SessionTransferActivitiesImpl transfer, JdbcClient jdbc) {
        this.store = store;
        this.transfer = transfer;
        this.jdbc = jdbc;
    }

    @Override
    public List<BackupCandidate> candidates(List<String> accountIds) {
        // Running where the database places them, and held by no operation (an allocation, migration or failover
        // in flight owns its account).
        List<BackupCandidate> all = jdbc.sql("SELECT account_id, server_id, script_id FROM accounts "
                        + "WHERE server_id IS NOT NULL AND operation_id IS NULL AND status = 'online' "
                        + "ORDER BY account_id")
                .query((rs, i) ->
                        new BackupCandidate(rs.getString("account_id"), rs.getString("server_id"), rs.getString(3)))
                .list();
        if (accountIds == null || accountIds.isEmpty()) {
            return all;
        }
        return all.stream().filter(c -> accountIds.contains(c.accountId())).toList();
    }

    @Override
    public BackupInfo fetchBackup(String accountId, String serverId, String remotePath, String expectedSha256) {
        return transfer.download(accountId, serverId, remotePath, expectedSha256, "fetch backup", (temp, file) -> {
            ArchiveInfo stored = store.storeBackup(accountId, temp, "backup from " + serverId);
            log.info(
                    "account {}: backup {} of its session on {} stored ({} bytes, sha256 {})",
                    accountId,
                    stored.backupId(),
                    serverId,
                    stored.sizeBytes(),
                    stored.sha256());
            return view(stored);
        });
    }

    @Override
    public List<String> prune(String accountId, int keep) {
        List<String> deleted = store.pruneBackups(accountId, Math.max(1, keep));
        if (!deleted.isEmpty()) {
            log.info("account {}: deleted {} old backups, kept the last {}", accountId, deleted.size(), keep);
        }
        return deleted;
    }

    @Override
    public BackupInfo restore(String accountId, String backupId) {
        try {
            return view(store.restoreBackup(accountId, backupId, "restore"));
        } catch (NoSuchElementException | IllegalArgumentException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureTypes.BACKUP_NOT_FOUND);
        } catch (SessionIntegrityException e) {
            log.error("{}", e.getMessage());
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureTypes.STORED_SESSION_CORRUPT);
        } catch (IOException e) {
            throw new UncheckedIOException("account " + accountId + ", step restore: " + e.getMessage(), e);
        }
    }

    @Override
    public BackupInfo useNewest(String accountId) {
        Optional<ArchiveInfo> current = store.info(accountId);
        for (ArchiveInfo backup : store.backups(accountId)) {
            if (current.isPresent() && !backup.storedAt().isAfter(current.get().storedAt())) {
                break; // the stored session is at least as new as every backup left
            }
            try {
                ArchiveInfo used = store.restoreBackup(accountId, backup.backupId(), "use newest backup");
                log.warn(
                        "account {}: its source cannot hand its session over; backup {} of {} is used",
                        accountId,
                        used.backupId(),
                        used.storedAt());
                return view(used);
            } catch (SessionIntegrityException e) {
                // A damaged backup is skipped for the next newest, never used.
                log.error("{}", e.getMessage());
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "account " + accountId + ", step use newest backup: " + e.getMessage(), e);
            }
        }
        ArchiveInfo stored = current.orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
                "the control plane holds neither a stored session nor a backup of account " + accountId,
                FailureTypes.NO_SESSION));
        return new BackupInfo(
                accountId, null, stored.storedAt().toString(), stored.sha256(), stored.sizeBytes(), stored.source());
    }

    @Override
    public BackupCandidate placement(String accountId) {
        List<BackupCandidate> rows = jdbc.sql(
                        "SELECT server_id, script_id, operation_id FROM accounts WHERE account_id = ?")
                .param(accountId)
                .query((rs, i) -> {
                    if (rs.getString("operation_id") != null) {
                        throw ApplicationFailure.newNonRetryableFailure(
                                "account " + accountId + " is held by operation " + rs.getString("operation_id")
                                        + "; restore it once that operation ended",
                                FailureTypes.ACCOUNT_UNAVAILABLE);
                    }
                    return new BackupCandidate(accountId, rs.getString("server_id"), rs.getString("script_id"));
                })
                .list();
        if (rows.isEmpty() || rows.get(0).serverId() == null) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "account " + accountId + " is " + (rows.isEmpty() ? "not registered" : "on no server")
                            + "; a restore puts a backup back on the server it runs on",
                    FailureTypes.ACCOUNT_UNAVAILABLE);
        }
        return rows.get(0);
    }

    public static BackupInfo view(ArchiveInfo info) {
        return new BackupInfo(
                info.accountId(),
                info.backupId(),
                info.storedAt().toString(),
                info.sha256(),
                info.sizeBytes(),
                info.source());
    }
}
