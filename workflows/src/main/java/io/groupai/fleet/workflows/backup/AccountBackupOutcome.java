package io.groupai.fleet.workflows.backup;

import io.groupai.fleet.workflows.nodes.StepProgress;
import java.util.List;

/**
 * What a backup run did for one account.
 *
 * @param backup  the backup stored (null when it failed)
 * @param pruned  ids of older backups deleted to keep the last N
 * @param message what happened; on failure it names account, server and step
 */
public record AccountBackupOutcome(
        String accountId,
        String serverId,
        boolean success,
        BackupInfo backup,
        List<String> pruned,
        String message,
        List<StepProgress> steps) {}
