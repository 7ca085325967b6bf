package io.groupai.fleet.workflows.backup;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/** Control-plane activities of session backups: the session store and the registry. Ids in, ids out. */
@ActivityInterface(namePrefix = "Backup")
public interface SessionBackupActivities {

    /** Accounts placed on a server and running there, held by no operation; only {@code accountIds} if given. */
    @ActivityMethod
    List<BackupCandidate> candidates(List<String> accountIds);

    /**
     * Downloads a session the node exported into the store as a new backup: the downloaded bytes must have
     * {@code expectedSha256} (what the node computed at export), else it fails (SessionChecksumMismatch)
     * and stores nothing.
     */
    @ActivityMethod
    BackupInfo fetchBackup(String accountId, String serverId, String remotePath, String expectedSha256);

    /** Deletes all but the newest {@code keep} backups of the account; returns the ids deleted. */
    @ActivityMethod
    List<String> prune(String accountId, int keep);

    /** Verifies a backup and makes it the account's stored session (BackupNotFound, StoredSessionCorrupt). */
    @ActivityMethod
    BackupInfo restore(String accountId, String backupId);

    /**
     * For a migration whose source cannot hand its session over: makes the newest backup the stored session
     * when it is newer than the stored one, and says which was used (backupId null: the stored session was
     * newer). Fails NoStoredSession when there is neither.
     */
    @ActivityMethod
    BackupInfo useNewest(String accountId);

    /**
     * Where the account is placed and with which script, for a restore: AccountUnavailable when it is on no
     * server or another operation holds it.
     */
    @ActivityMethod
    BackupCandidate placement(String accountId);
}
