package io.groupai.fleet.workflows.backup;

import io.groupai.fleet.workflows.nodes.StepProgress;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * One account's backup, under the account's own workflow id: stop it on its node (TDLib writes its
 * database while running, so a copy taken then could be torn), export, fetch into the session store
 * (checksum verified), start it again, delete backups beyond the last N. Never fails: the outcome says
 * what went wrong, naming account, server and step.
 */
@WorkflowInterface
public interface BackupAccountWorkflow {

    @WorkflowMethod
    AccountBackupOutcome backup(BackupAccountRequest request);

    @QueryMethod
    List<StepProgress> progress();
}
