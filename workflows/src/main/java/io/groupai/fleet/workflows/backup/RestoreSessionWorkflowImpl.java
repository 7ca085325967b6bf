package io.groupai.fleet.workflows.backup;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.agent.AccountRuntimeState;
import io.groupai.fleet.workflows.agent.NodeAgentActivities;
import io.groupai.fleet.workflows.agent.StartAccountRequest;
import io.groupai.fleet.workflows.allocation.Failures;
import io.groupai.fleet.workflows.allocation.SessionTransferActivities;
import io.groupai.fleet.workflows.allocation.UploadedSession;
import io.groupai.fleet.workflows.nodes.StepProgress;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;

public class RestoreSessionWorkflowImpl implements RestoreSessionWorkflow {

    static final int CONFIRM_POLLS = 10;

    private final SessionBackupActivities store =
            Workflow.newActivityStub(SessionBackupActivities.class, BackupOptions.CONTROL_PLANE);
    private final SessionTransferActivities sessions =
            Workflow.newActivityStub(SessionTransferActivities.class, BackupOptions.TRANSFER);
    private final Steps steps = new Steps();
    private String scriptId;

    @Override
    public RestoreResult restore(RestoreRequest request) {
        if (request == null || request.accountId() == null || request.backupId() == null) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "request needs accountId and backupId, e.g. {\"accountId\":\"639277356155\","
                            + "\"backupId\":\"20261202T061500123Z-1a2b3c\"}",
                    FailureTypes.INVALID_REQUEST);
        }
        String accountId = request.accountId();
        String serverId = null;
        String step = "find server";
        BackupInfo backup = null;
        boolean stopped = false;
        try {
            BackupCandidate placed =
                    steps.run(step, () -> store.placement(accountId), p -> "account assigned to " + p.serverId());
            serverId = placed.serverId();
            scriptId = placed.scriptId();
            String server = serverId;
            NodeAgentActivities node = BackupOptions.node(server);
            step = "restore in store";
            backup = steps.run(
                    step,
                    () -> store.restore(accountId, request.backupId()),
                    b -> "backup " + b.backupId() + " of " + b.createdAt() + " verified (sha256 " + b.sha256()
                            + ") and made the stored session");
            step = "stop on node";
            steps.run(step, () -> node.stopAccount(accountId), s -> server + ": " + s.status());
            stopped = true;
            step = "upload to node";
            steps.run(
                    step,
                    () -> sessions.upload(accountId, server),
                    (UploadedSession u) -> u.remotePath() + ", sha256 " + u.sha256() + " checked on " + server);
            step = "start on node";
            AccountRuntimeState started = steps.run(
                    step,
                    () -> node.startAccount(new StartAccountRequest(accountId, scriptId)),
                    AccountRuntimeState::status);
            step = "verify";
            steps.run(step, () -> verify(node, accountId, started), AccountRuntimeState::status);
            return new RestoreResult(
                    accountId,
                    server,
                    backup,
                    "account " + accountId + " runs on " + server + " from backup " + backup.backupId(),
                    steps.all());
        } catch (ActivityFailure | ApplicationFailure f) {
            String why = f instanceof ActivityFailure af
                    ? Failures.message(af)
                    : ((ApplicationFailure) f).getOriginalMessage();
            String message = Failures.describe(accountId, serverId == null ? "(none)" : serverId, step, why);
            if (stopped && !"start on node".equals(step) && !"verify".equals(step)) {
                message += restartAfterFailure(accountId, serverId);
            }
            throw ApplicationFailure.newNonRetryableFailure(
                    message,
                    FailureTypes.RESTORE_FAILED,
                    new RestoreResult(accountId, serverId, backup, message, steps.all()));
        }
    }

    /** The upload failed after the stop: the node still has the session it had, so it starts from that. */
    private String restartAfterFailure(String accountId, String serverId) {
        try {
            steps.run(
                    "start again",
                    () -> BackupOptions.node(serverId).startAccount(new StartAccountRequest(accountId, scriptId)),
                    AccountRuntimeState::status);
            return "; the account was started again on " + serverId + " from the session it had";
        } catch (ActivityFailure f) {
            return "; starting it again on " + serverId + " failed too (" + Failures.message(f)
                    + "); the reconciler restarts it";
        }
    }

    private static AccountRuntimeState verify(NodeAgentActivities node, String accountId, AccountRuntimeState s) {
        AccountRuntimeState current = s;
        for (int poll = 0; "starting".equals(current.status()) && poll < CONFIRM_POLLS; poll++) {
            Workflow.sleep(Duration.ofSeconds(1));
            current = node.listAccounts().stream()
                    .filter(a -> accountId.equals(a.accountId()))
                    .findFirst()
                    .orElse(new AccountRuntimeState(accountId, "missing", null, "the node does not list the account"));
        }
        if (!"online".equals(current.status())) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "the node reports the account " + current.status(), FailureTypes.NOT_RUNNING);
        }
        return current;
    }

    @Override
    public List<StepProgress> progress() {
        return steps.all();
    }
}
