package io.groupai.fleet.workflows.allocation;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.agent.AccountRuntimeState;
import io.groupai.fleet.workflows.agent.ExportedSession;
import io.groupai.fleet.workflows.agent.NodeAgentActivities;
import io.groupai.fleet.workflows.agent.StartAccountRequest;
import io.groupai.fleet.workflows.backup.SessionBackupActivities;
import io.groupai.fleet.workflows.nodes.StepProgress;
import io.groupai.fleet.workflows.supervision.FailoverWorkflowImpl;
import io.groupai.fleet.workflows.supervision.SupervisionActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

public class MigrateAccountWorkflowImpl implements MigrateAccountWorkflow {

    private final AllocationActivities allocation =
            Workflow.newActivityStub(AllocationActivities.class, AllocateChunkWorkflowImpl.CONTROL_PLANE);
    /** Rollback steps retry until done (see {@link AllocateChunkWorkflowImpl#COMPENSATION}). */
    private final AllocationActivities compensation =
            Workflow.newActivityStub(AllocationActivities.class, AllocateChunkWorkflowImpl.COMPENSATION);

    private final SessionTransferActivities sessions =
            Workflow.newActivityStub(SessionTransferActivities.class, SessionTransferOptions.OPTIONS);
    private final SessionBackupActivities backups =
            Workflow.newActivityStub(SessionBackupActivities.class, AllocateChunkWorkflowImpl.CONTROL_PLANE);
    private final List<StepProgress> steps = new ArrayList<>();

    /** How long after a down source's lease expired it counts as fenced (clock skew, the agent's lease check). */
    static final java.time.Duration FENCING_MARGIN = FailoverWorkflowImpl.DEFAULT_MARGIN;

    /**
     * A down source gets one short chance to confirm the stop (a live agent long-polls its queue and
     * picks a task up at once; a dead one never does).
     */
    static final ActivityOptions SOURCE_DOWN = ActivityOptions.newBuilder()
            .setScheduleToStartTimeout(java.time.Duration.ofSeconds(2))
            .setStartToCloseTimeout(java.time.Duration.ofMinutes(1))
            .setRetryOptions(io.temporal.common.RetryOptions.newBuilder()
                    .setMaximumAttempts(1)
                    .build())
            .build();

    /**
     * Deleting the source's export once the move is done: best effort, a few attempts over a few minutes
     * (a source that went away meanwhile must not hold the finished migration up for long).
     */
    static final ActivityOptions SOURCE_CLEANUP = ActivityOptions.newBuilder()
            .setScheduleToCloseTimeout(java.time.Duration.ofMinutes(3))
            .setStartToCloseTimeout(java.time.Duration.ofMinutes(1))
            .setRetryOptions(io.temporal.common.RetryOptions.newBuilder()
                    .setInitialInterval(java.time.Duration.ofSeconds(2))
                    .setBackoffCoefficient(2)
                    .setMaximumInterval(java.time.Duration.ofSeconds(30))
                    .setMaximumAttempts(5)
                    .setDoNotRetry(FailureTypes.INVALID_ARGUMENT, FailureTypes.ACCOUNT_RUNNING)
                    .build())
            .build();

    private final SupervisionActivities supervision =
            Workflow.newActivityStub(SupervisionActivities.class, AllocateChunkWorkflowImpl.CONTROL_PLANE);

    @Override
    public MigrationResult migrate(MigrationRequest request) {
        if (request == null || request.accountId() == null) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "request needs accountId, e.g. {\"accountId\":\"639277356598\"}",
                    FailureTypes.INVALID_ALLOCATION_REQUEST);
        }
        String workflowId = Workflow.getInfo().getWorkflowId();
        String accountId = request.accountId();
        MigrationPlan plan;
        try {
            plan = step(
                    "reserve target",
                    () -> allocation.prepareMigration(request, workflowId),
                    p -> p.sourceServerId() + " → " + p.targetServerId() + ", load score "
                            + Math.round(p.loadScore() * 10) / 10.0);
        } catch (ActivityFailure f) {
            String message = "account " + accountId + ", step reserve target: " + Failures.message(f);
            throw ApplicationFailure.newNonRetryableFailure(
                    message,
                    FailureTypes.MIGRATION_FAILED,
                    new MigrationResult(
                            accountId, false, null, request.targetServerId(), null, message, List.copyOf(steps)));
        }
        String source = plan.sourceServerId();
        String target = plan.targetServerId();
        NodeAgentActivities sourceNode = node(source);
        NodeAgentActivities targetNode = node(target);

        String failedStep = "stop on source";
        boolean sourceGone = false;
        boolean stopConfirmed = false;
        try {
            NodeAgentActivities stopper = request.sourceDown() ? node(source, SOURCE_DOWN) : sourceNode;
            step(failedStep, () -> stopper.stopAccount(accountId), s -> "source " + source + ": " + s.status());
            stopConfirmed = true;
        } catch (ActivityFailure f) {
            String failure = Failures.describe(accountId, source, failedStep, f);
            // Not known stopped: nothing may start elsewhere, unless the source is down and its lease runs
            // out: its agent then stops the account by itself. The move goes on (from the stored session),
            // and nothing starts on the target before that lease expired plus the margin (see awaitFenced).
            long fencedIn = request.sourceDown() ? fencing(source) : Long.MAX_VALUE;
            if (fencedIn > FENCING_MARGIN.toMillis()) {
                String why = request.sourceDown()
                        ? failure + "; the lease of " + source + " is still valid (fenced in " + fencedIn / 1000
                                + " s), so the account may still run there"
                        : failure;
                String aborted = undo(
                        "drop target reservation",
                        why,
                        () -> compensation.abortMigration(plan, workflowId, "stop on source failed"));
                return failed(plan, source, aborted == null ? why : aborted);
            }
            sourceGone = true;
        }
        boolean committed = false;
        String failedServer = source;
        // The source's export: deleted there only once the account runs on the target (cleanupSource).
        String exportPath = null;
        try {
            if (!sourceGone) {
                try {
                    failedStep = "export session";
                    ExportedSession exported = step(
                            failedStep,
                            () -> (request.sourceDown() ? node(source, SOURCE_DOWN) : sourceNode)
                                    .exportSession(accountId),
                            e -> e.sizeBytes() + " bytes, sha256 " + e.sha256());
                    exportPath = exported.remotePath();
                    failedStep = "fetch session";
                    step(
                            failedStep,
                            () -> sessions.fetchExported(accountId, source, exported.remotePath(), exported.sha256()),
                            u -> "stored on the control plane, sha256 verified " + u.sha256());
                } catch (ActivityFailure f) {
                    // Stopped (confirmed) on a source that cannot hand its session over after the step's retries
                    // (unreachable, export or transfer failing): the account cannot run there or anywhere else
                    // meanwhile, so the newest stored copy (a backup, or the last migration's) is the best there
                    // is. Without one, the migration fails and rolls back as before.
                    sourceGone = true;
                }
            }
            if (sourceGone) {
                failedStep = "use newest backup";
                step(
                        failedStep,
                        () -> backups.useNewest(accountId),
                        b -> b.backupId() == null
                                ? "the stored session (stored " + b.createdAt() + ", sha256 " + b.sha256()
                                        + ") is newer than every backup"
                                : "backup " + b.backupId() + " (stored " + b.createdAt() + ", sha256 " + b.sha256()
                                        + ") made the stored session");
            }
            failedStep = "upload to target";
            failedServer = target;
            UploadedSession uploaded =
                    step(failedStep, () -> sessions.upload(accountId, target), UploadedSession::remotePath);
            if (!stopConfirmed) {
                failedStep = "await fencing";
                failedServer = source;
                step(
                        failedStep,
                        () -> awaitFenced(source),
                        ms -> "the lease of " + source + " expired over "
                                + FENCING_MARGIN.toSeconds() + " s ago (waited " + ms / 1000
                                + " s): its agent has stopped the account");
                failedServer = target;
            }
            failedStep = "switch server";
            step(
                    failedStep,
                    () -> {
                        allocation.commitMigration(plan, workflowId);
                        return target;
                    },
                    t -> "account now assigned to " + t);
            committed = true;
            failedStep = "start on target";
            AccountRuntimeState started = step(
                    failedStep,
                    () -> targetNode.startAccount(new StartAccountRequest(accountId, plan.scriptId())),
                    AccountRuntimeState::status);
            failedStep = "verify";
            AccountRuntimeState running =
                    step(failedStep, () -> verify(targetNode, accountId, started), AccountRuntimeState::status);
            failedStep = "record history";
            step(
                    failedStep,
                    () -> {
                        allocation.complete(new CompleteRequest(
                                accountId, target, AllocationType.REBALANCE, plan.loadScore(), workflowId, source));
                        return running;
                    },
                    r -> "rebalance recorded");
            // Only now, with the row switched and the account confirmed running on the target, is the
            // source's copy stale; every failure path above rolls back and keeps it.
            cleanupSource(accountId, source, exportPath);
            return new MigrationResult(
                    accountId,
                    true,
                    source,
                    target,
                    target,
                    "account " + accountId + " moved from " + source + " to " + target
                            + (request.reason() == null ? "" : " (" + request.reason() + ")"),
                    List.copyOf(steps));
        } catch (ActivityFailure | ApplicationFailure f) {
            String why = f instanceof ActivityFailure af
                    ? Failures.message(af)
                    : ((ApplicationFailure) f).getOriginalMessage();
            String failure = Failures.describe(accountId, failedServer, failedStep, why);
            return rollBack(plan, workflowId, committed, failure, request.sourceDown());
        }
    }

    @Override
    public List<StepProgress> progress() {
        return List.copyOf(steps);
    }

    private AccountRuntimeState verify(NodeAgentActivities node, String accountId, AccountRuntimeState started) {
        AccountRuntimeState current = started;
        for (int poll = 0;
                "starting".equals(current.status()) && poll < AllocateChunkWorkflowImpl.CONFIRM_POLLS;
                poll++) {
            Workflow.sleep(java.time.Duration.ofSeconds(1));
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

    /** Target failed: stop and remove it there, put the row back on the source, start it on the source again. */
    private MigrationResult rollBack(
            MigrationPlan plan, String workflowId, boolean committed, String failure, boolean sourceDown) {
        String accountId = plan.accountId();
        String source = plan.sourceServerId();
        String target = plan.targetServerId();
        if (committed) {
            try {
                step(
                        "stop on target",
                        () -> node(target, AllocateChunkWorkflowImpl.NODE_COMPENSATION)
                                .stopAccount(accountId),
                        AccountRuntimeState::status);
            } catch (ActivityFailure f) {
                // It may run on the target: it stays assigned there (failed) rather than risk running twice.
                String why = failure + "; rollback could not stop it on " + target + " (" + Failures.message(f)
                        + "), so it stays assigned to " + target + " marked failed";
                String marked = undo(
                        "mark failed",
                        why,
                        () -> compensation.markFailed(new ReserveRequest(accountId, target, workflowId), failure));
                return failed(plan, target, marked == null ? why : marked);
            }
        }
        try {
            step(
                    "remove from target",
                    () -> {
                        sessions.remove(accountId, target);
                        return target;
                    },
                    t -> "removed");
        } catch (ActivityFailure f) {
            Workflow.getLogger(MigrateAccountWorkflowImpl.class).warn("{}: {}", failure, Failures.message(f));
        }
        String aborted = undo("back to source", failure, () -> compensation.abortMigration(plan, workflowId, failure));
        if (aborted != null) {
            return failed(plan, target, aborted);
        }
        if (sourceDown) {
            return failed(
                    plan,
                    source,
                    failure + "; rolled back: the account stays assigned to " + source
                            + ", which is down; its agent brings it back when it renews its lease");
        }
        try {
            step(
                    "restart on source",
                    () -> node(source).startAccount(new StartAccountRequest(accountId, plan.scriptId())),
                    AccountRuntimeState::status);
            return failed(plan, source, failure + "; rolled back: the account runs on " + source + " again");
        } catch (ActivityFailure f) {
            return failed(
                    plan,
                    source,
                    failure + "; rolled back to " + source + " but restarting it there failed: " + Failures.message(f));
        }
    }

    /**
     * A rollback step, retried until done; null when it succeeded, else the failure extended with
     * why it did not (a contradiction: the row is not as this migration left it).
     */
    private String undo(String name, String failure, Runnable call) {
        try {
            step(
                    name,
                    () -> {
                        call.run();
                        return name;
                    },
                    n -> "done");
            return null;
        } catch (ActivityFailure f) {
            return failure + "; rollback step " + name + " failed: " + Failures.message(f);
        }
    }

    private void cleanupSource(String accountId, String source, String exportPath) {
        if (exportPath != null) {
            String path = exportPath;
            try {
                step(
                        "delete export on source",
                        () -> {
                            node(source, SOURCE_CLEANUP).discardMigratedSession(accountId, path);
                            return source;
                        },
                        s -> "export " + path + " and the stale session directory deleted on " + s);
                return;
            } catch (ActivityFailure f) {
                // Best effort: the account runs on the target whatever happens here. The session directory
                // is still removed over SSH below; the export stays for an operator (the warning names it).
                Workflow.getLogger(MigrateAccountWorkflowImpl.class)
                        .warn(
                                "account {}: export {} not deleted on {}: {}",
                                accountId,
                                path,
                                source,
                                Failures.message(f));
            }
        }
        try {
            step(
                    "remove from source",
                    () -> {
                        sessions.remove(accountId, source);
                        return source;
                    },
                    s -> "removed");
        } catch (ActivityFailure f) {
            Workflow.getLogger(MigrateAccountWorkflowImpl.class)
                    .warn("account {}: old session on {} not removed: {}", accountId, source, Failures.message(f));
        }
    }

    /**
     * Ends the workflow FAILED (a migration that did not move the account is not a success, whatever
     * was rolled back), with the result as the failure's details for callers that want the steps.
     */
    private MigrationResult failed(MigrationPlan plan, String serverId, String message) {
        MigrationResult result = new MigrationResult(
                plan.accountId(),
                false,
                plan.sourceServerId(),
                plan.targetServerId(),
                serverId,
                message,
                List.copyOf(steps));
        throw ApplicationFailure.newNonRetryableFailure(message, FailureTypes.MIGRATION_FAILED, result);
    }

    /**
     * Waits until the down source is fenced: its lease expired at least the margin ago. Returns how
     * long it waited; fails when the lease was renewed meanwhile (the node is back and may run the account).
     */
    private long awaitFenced(String source) {
        long waited = 0;
        while (true) {
            long ms = fencing(source);
            if (ms <= 0) {
                return waited;
            }
            if (ms > FENCING_MARGIN.toMillis()) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "the lease of " + source + " was renewed: the node is back and may run the account",
                        FailureTypes.MIGRATION_FAILED);
            }
            Workflow.sleep(java.time.Duration.ofMillis(ms));
            waited += ms;
        }
    }

    /** 0 when the server's lease expired at least the margin ago (or it never held one), else millis to wait. */
    private long fencing(String serverId) {
        return supervision.millisUntilFenced(serverId, FENCING_MARGIN.toMillis());
    }

    private <T> T step(String name, Supplier<T> call, java.util.function.Function<T, String> describe) {
        int index = steps.size();
        steps.add(StepProgress.running(name));
        try {
            T result = call.get();
            steps.set(index, steps.get(index).done(describe.apply(result)));
            return result;
        } catch (ActivityFailure failure) {
            steps.set(index, steps.get(index).failed(Failures.message(failure)));
            throw failure;
        } catch (ApplicationFailure failure) {
            steps.set(index, steps.get(index).failed(failure.getOriginalMessage()));
            throw failure;
        }
    }

    private NodeAgentActivities node(String serverId) {
        return node(serverId, AllocateChunkWorkflowImpl.NODE);
    }

    private NodeAgentActivities node(String serverId, ActivityOptions options) {
        return Workflow.newActivityStub(
                NodeAgentActivities.class,
                ActivityOptions.newBuilder(options)
                        .setTaskQueue(TaskQueues.node(serverId))
                        .build());
    }
}
