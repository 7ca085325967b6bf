package io.groupai.fleet.workflows.backup;

import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.allocation.Failures;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class SessionBackupWorkflowImpl implements SessionBackupWorkflow {

    private final SessionBackupActivities store =
            Workflow.newActivityStub(SessionBackupActivities.class, BackupOptions.CONTROL_PLANE);

    private int total;
    private final Map<String, Promise<AccountBackupOutcome>> running = new LinkedHashMap<>();
    private final Map<String, String> servers = new LinkedHashMap<>();
    private final List<AccountBackupOutcome> done = new ArrayList<>();

    @Override
    public SessionBackupResult backup(SessionBackupRequest request) {
        SessionBackupRequest r = request == null ? new SessionBackupRequest() : request;
        List<BackupCandidate> candidates = store.candidates(r.accountIds());
        total = candidates.size();
        for (BackupCandidate c : candidates) {
            while (running.size() >= r.parallelismOrDefault()) {
                awaitAny();
                collect();
            }
            // Under the account's own id: Temporal refuses it while a migration or restore of the account runs
            // (and refuses those while it runs), so a backup never stops an account another operation moves.
            BackupAccountWorkflow child = Workflow.newChildWorkflowStub(
                    BackupAccountWorkflow.class,
                    ChildWorkflowOptions.newBuilder()
                            .setWorkflowId(WorkflowIds.account(c.accountId()))
                            .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                            .build());
            servers.put(c.accountId(), c.serverId());
            running.put(
                    c.accountId(),
                    Async.function(
                            child::backup,
                            new BackupAccountRequest(c.accountId(), c.serverId(), c.scriptId(), r.keepOrDefault())));
        }
        while (!running.isEmpty()) {
            awaitAny();
            collect();
        }
        int ok = (int) done.stream().filter(AccountBackupOutcome::success).count();
        Workflow.getLogger(SessionBackupWorkflowImpl.class)
                .info("session backup: {} of {} accounts backed up, {} failed", ok, total, total - ok);
        return new SessionBackupResult(total, ok, total - ok, List.copyOf(done));
    }

    @Override
    public SessionBackupProgress progress() {
        int ok = (int) done.stream().filter(AccountBackupOutcome::success).count();
        return new SessionBackupProgress(total, ok, done.size() - ok, List.copyOf(running.keySet()), List.copyOf(done));
    }

    private void collect() {
        for (var it = running.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isCompleted()) {
                continue;
            }
            it.remove();
            String accountId = e.getKey();
            String serverId = servers.get(accountId);
            try {
                done.add(e.getValue().get());
            } catch (ChildWorkflowFailure f) {
                done.add(failed(accountId, serverId, reason(f)));
            } catch (TemporalFailure f) {
                done.add(failed(accountId, serverId, f.getMessage()));
            }
        }
    }

    private static AccountBackupOutcome failed(String accountId, String serverId, String why) {
        return new AccountBackupOutcome(
                accountId,
                serverId,
                false,
                null,
                List.of(),
                Failures.describe(accountId, serverId, "backup", why),
                List.of());
    }

    /** Why a child did not run or failed: "already started" means another operation holds the account. */
    private static String reason(ChildWorkflowFailure f) {
        Throwable cause = f.getCause();
        if (cause instanceof ApplicationFailure app) {
            return app.getOriginalMessage();
        }
        return cause == null ? f.getMessage() : cause.getMessage();
    }

    private void awaitAny() {
        try {
            Promise.anyOf(running.values()).get();
        } catch (TemporalFailure ended) {
            // collected with the others
        }
    }
}
