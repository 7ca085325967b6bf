package io.groupai.fleet.workflows.backup;

import io.groupai.fleet.workflows.agent.ExportedSession;
import io.groupai.fleet.workflows.agent.NodeAgentActivities;
import io.groupai.fleet.workflows.agent.StartAccountRequest;
import io.groupai.fleet.workflows.allocation.Failures;
import io.groupai.fleet.workflows.nodes.StepProgress;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.util.List;

public class BackupAccountWorkflowImpl implements BackupAccountWorkflow {

    private final SessionBackupActivities store =
            Workflow.newActivityStub(SessionBackupActivities.class, BackupOptions.CONTROL_PLANE);
    private final SessionBackupActivities transfer =
            Workflow.newActivityStub(SessionBackupActivities.class, BackupOptions.TRANSFER);
    private final Steps steps = new Steps();

    @Override
    public AccountBackupOutcome backup(BackupAccountRequest request) {
        String accountId = request.accountId();
        String serverId = request.serverId();
        NodeAgentActivities node = BackupOptions.node(serverId);
        String step = "stop on node";
        BackupInfo stored = null;
        String failure = null;
        boolean stopped = false;
        try {
            steps.run(step, () -> node.stopAccount(accountId), s -> serverId + ": " + s.status());
            stopped = true;
            step = "export session";
            ExportedSession exported = steps.run(
                    step, () -> node.exportSession(accountId), e -> e.sizeBytes() + " bytes, sha256 " + e.sha256());
            step = "fetch backup";
            stored = steps.run(
                    step,
                    () -> transfer.fetchBackup(accountId, serverId, exported.remotePath(), exported.sha256()),
                    b -> "backup " + b.backupId() + " stored encrypted, sha256 verified " + b.sha256());
        } catch (ActivityFailure | ApplicationFailure f) {
            failure = Failures.describe(accountId, serverId, step, why(f));
        }
        if (stopped) {
            // Started again whether or not the export worked: a backup must not leave the account down.
            try {
                steps.run(
                        "start on node",
                        () -> node.startAccount(new StartAccountRequest(accountId, request.scriptId())),
                        s -> serverId + ": " + s.status());
            } catch (ActivityFailure f) {
                String why = Failures.describe(accountId, serverId, "start on node", Failures.message(f))
                        + " (the reconciler restarts it)";
                failure = failure == null ? why : failure + "; " + why;
            }
        }
        List<String> pruned = List.of();
        if (stored != null) {
            try {
                pruned = steps.run(
                        "keep last " + request.keep(),
                        () -> store.prune(accountId, request.keep()),
                        ids -> ids.isEmpty() ? "nothing to delete" : "deleted " + ids);
            } catch (ActivityFailure f) {
                // The new backup is stored; old ones go at the next run.
                Workflow.getLogger(BackupAccountWorkflowImpl.class)
                        .warn("account {}: old backups not pruned: {}", accountId, Failures.message(f));
            }
        }
        boolean success = stored != null && failure == null;
        String message = failure != null
                ? failure
                : "account " + accountId + " on " + serverId + ": backup " + stored.backupId() + " stored";
        return new AccountBackupOutcome(accountId, serverId, success, stored, pruned, message, steps.all());
    }

    private static String why(RuntimeException f) {
        return f instanceof ActivityFailure af ? Failures.message(af) : ((ApplicationFailure) f).getOriginalMessage();
    }

    @Override
    public List<StepProgress> progress() {
        return steps.all();
    }
}
