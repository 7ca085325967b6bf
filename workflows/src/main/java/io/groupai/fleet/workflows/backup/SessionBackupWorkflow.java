package io.groupai.fleet.workflows.backup;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Backs up the sessions of running accounts into the control plane's session store: one
 * {@link BackupAccountWorkflow} per account (id {@code account-<accountId>}, so it never overlaps a
 * migration or restore of that account), with bounded parallelism, keeping the last N per account.
 * Runs on a schedule (a Temporal Schedule, or cron on the embedded server) and on demand.
 */
@WorkflowInterface
public interface SessionBackupWorkflow {

    @WorkflowMethod
    SessionBackupResult backup(SessionBackupRequest request);

    @QueryMethod
    SessionBackupProgress progress();
}
