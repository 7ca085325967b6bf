package io.groupai.fleet.workflows.supervision;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.allocation.MigrateAccountWorkflow;
import io.groupai.fleet.workflows.allocation.MigrationRequest;
import io.groupai.fleet.workflows.allocation.MigrationResult;
import io.groupai.fleet.workflows.nodes.StepProgress;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

public class FailoverWorkflowImpl implements FailoverWorkflow {

    private static final Logger log = Workflow.getLogger(FailoverWorkflowImpl.class);

    public static final int DEFAULT_PARALLELISM = 4;
    /**
     * How long after a down server's lease expired it counts as fenced: its agent checks its lease
     * every second, and the clocks of node and control plane may differ by a few seconds (NTP).
     */
    public static final Duration DEFAULT_MARGIN = Duration.ofSeconds(10);
    /** A lease renewed this many times while failover waits means the node is back: nothing moves. */
    static final int MAX_FENCE_WAITS = 3;

    private final SupervisionActivities db = Workflow.newActivityStub(
            SupervisionActivities.class,
            ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofSeconds(30))
                    .setRetryOptions(RetryOptions.newBuilder()
                            .setInitialInterval(Duration.ofSeconds(1))
                            .setMaximumInterval(Duration.ofSeconds(30))
                            .build())
                    .build());

    private final List<StepProgress> steps = new ArrayList<>();

    @Override
    public FailoverResult failover(FailoverRequest request) {
        if (request == null || request.nodeId() == null) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "request needs nodeId, e.g. {\"nodeId\":\"worker-01\"}", FailureTypes.INVALID_REQUEST);
        }
        String nodeId = request.nodeId();
        int parallelism = request.parallelism() > 0 ? request.parallelism() : DEFAULT_PARALLELISM;
        Duration margin = DEFAULT_MARGIN;

        // The migrations start when the lease has expired: the agent is stopping its accounts. Each waits
        // for the margin on top before it starts anything elsewhere, but uploads meanwhile.
        int fence = begin("wait for lease expiry");
        for (int wait = 0; ; wait++) {
            long ms = db.millisUntilFenced(nodeId, 0);
            if (ms <= 0) {
                break;
            }
            if (wait >= MAX_FENCE_WAITS) {
                // The node keeps renewing its lease: it is alive and runs its accounts; moving them would
                // start them twice. The supervisor marks it up on its next check.
                String why = "server " + nodeId + " renews its lease again; its accounts stay there";
                end(fence, false, why);
                return new FailoverResult(nodeId, 0, List.of(), List.of(), "failover not needed: " + why);
            }
            Workflow.sleep(Duration.ofMillis(ms));
        }
        end(
                fence,
                true,
                "lease of " + nodeId + " expired: its agent stops its accounts; each starts elsewhere "
                        + margin.toSeconds() + " s after the expiry at the earliest");

        int list = begin("list accounts");
        List<String> accounts = db.accountsOn(nodeId);
        end(list, true, accounts.size() + " accounts on " + nodeId);

        int moving = begin("move accounts");
        Map<String, Promise<MigrationResult>> running = new LinkedHashMap<>();
        List<FailoverResult.Moved> moved = new ArrayList<>();
        List<FailoverResult.NotMoved> notMoved = new ArrayList<>();
        String reason = "failover: server " + nodeId + " is down"
                + (request.reason() == null ? "" : " (" + request.reason() + ")");
        for (String accountId : accounts) {
            while (running.size() >= parallelism) {
                awaitAny(running);
                collect(running, moved, notMoved, false);
            }
            MigrateAccountWorkflow migration = Workflow.newChildWorkflowStub(
                    MigrateAccountWorkflow.class,
                    ChildWorkflowOptions.newBuilder()
                            .setWorkflowId(WorkflowIds.account(accountId))
                            .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                            .build());
            running.put(
                    accountId,
                    Async.function(migration::migrate, new MigrationRequest(accountId, null, reason, null, true)));
        }
        while (!running.isEmpty()) {
            awaitAny(running);
            collect(running, moved, notMoved, false);
        }
        String message = "server " + nodeId + ": " + moved.size() + " of " + accounts.size() + " accounts moved"
                + (notMoved.isEmpty()
                        ? ""
                        : ", " + notMoved.size() + " not moved (they stay assigned to " + nodeId + "): "
                                + notMoved.stream()
                                        .limit(5)
                                        .map(n -> n.accountId() + ": " + n.reason())
                                        .toList());
        end(moving, notMoved.isEmpty(), message);
        if (notMoved.isEmpty()) {
            log.info(message);
        } else {
            log.warn(message);
        }
        return new FailoverResult(nodeId, accounts.size(), List.copyOf(moved), List.copyOf(notMoved), message);
    }

    private static void collect(
            Map<String, Promise<MigrationResult>> running,
            List<FailoverResult.Moved> moved,
            List<FailoverResult.NotMoved> notMoved,
            boolean all) {
        for (var it = running.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isCompleted() && !all) {
                continue;
            }
            it.remove();
            try {
                MigrationResult r = e.getValue().get();
                if (r.success()) {
                    moved.add(new FailoverResult.Moved(e.getKey(), r.serverId()));
                } else {
                    notMoved.add(new FailoverResult.NotMoved(e.getKey(), r.message()));
                }
            } catch (ChildWorkflowFailure f) {
                notMoved.add(new FailoverResult.NotMoved(e.getKey(), reason(f)));
            } catch (TemporalFailure f) {
                notMoved.add(new FailoverResult.NotMoved(e.getKey(), f.getMessage()));
            }
        }
    }

    /** Waits until one migration ended, successfully or not (collect reads how). */
    private static void awaitAny(Map<String, Promise<MigrationResult>> running) {
        try {
            Promise.anyOf(running.values()).get();
        } catch (TemporalFailure ended) {
            // a failed migration: collected with the others
        }
    }

    /** The migration's own words (it names account, server and step), or why it did not start. */
    static String reason(ChildWorkflowFailure f) {
        Throwable cause = f.getCause();
        if (cause instanceof ApplicationFailure app) {
            return app.getOriginalMessage();
        }
        return cause == null ? f.getMessage() : cause.getMessage();
    }

    @Override
    public List<StepProgress> progress() {
        return List.copyOf(steps);
    }

    private int begin(String step) {
        steps.add(StepProgress.running(step));
        return steps.size() - 1;
    }

    private void end(int index, boolean ok, String detail) {
        StepProgress s = steps.get(index);
        steps.set(index, ok ? s.done(detail) : s.failed(detail));
    }
}
