package io.groupai.fleet.workflows.backup;

import io.groupai.fleet.workflows.nodes.StepProgress;
import java.util.List;

/** A restored backup: which one, on which server the account now runs from it, and every step. */
public record RestoreResult(
        String accountId, String serverId, BackupInfo backup, String message, List<StepProgress> steps) {}
