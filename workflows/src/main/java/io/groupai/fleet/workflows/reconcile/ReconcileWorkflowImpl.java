package io.groupai.fleet.workflows.reconcile;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.agent.AccountRuntimeState;
import io.groupai.fleet.workflows.agent.NodeAgentActivities;
import io.groupai.fleet.workflows.agent.StartAccountRequest;
import io.groupai.fleet.workflows.allocation.SessionTransferActivities;
import io.groupai.fleet.workflows.allocation.SessionTransferOptions;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;

public class ReconcileWorkflowImpl implements ReconcileWorkflow {

    private static final Logger log = Workflow.getLogger(ReconcileWorkflowImpl.class);

    /** Statuses of accounts a node lists without hosting them. */
    static final Set<String> NOT_HOSTED = Set.of("stopped", "removed");

    static final RetryOptions BOUNDED = RetryOptions.newBuilder()
            .setInitialInterval(Duration.ofSeconds(1))
            .setMaximumInterval(Duration.ofSeconds(10))
            .setMaximumAttempts(3)
            .build();

    static final ActivityOptions CONTROL_PLANE = ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(2))
            .setRetryOptions(BOUNDED)
            .build();

    /** Asking a node what it runs: one try, a short wait for its agent; no answer means "unknown", not "nothing". */
    static final ActivityOptions NODE_LIST = ActivityOptions.newBuilder()
            .setScheduleToStartTimeout(Duration.ofSeconds(10))
            .setStartToCloseTimeout(Duration.ofSeconds(30))
            .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
            .build();

    /** Stopping or starting an account on a node: a dead node fails the step after the schedule-to-start timeout. */
    static final ActivityOptions NODE_ACTION = ActivityOptions.newBuilder()
            .setScheduleToStartTimeout(Duration.ofSeconds(30))
            .setStartToCloseTimeout(Duration.ofMinutes(2))
            .setRetryOptions(BOUNDED)
            .build();

    private final ReconcileActivities reconcile = Workflow.newActivityStub(ReconcileActivities.class, CONTROL_PLANE);
    private final SessionTransferActivities sessions =
            Workflow.newActivityStub(SessionTransferActivities.class, SessionTransferOptions.OPTIONS);

    private String phase = "listing";
    private int servers;
    private int found;
    private int repaired;
    private int failed;

    @Override
    public ReconcileReport reconcile(ReconcileRequest request) {
        ReconcileRequest r = request == null ? ReconcileRequest.repair() : request;
        String workflowId = Workflow.getInfo().getWorkflowId();
        List<ServerTarget> targets = reconcile.servers(r.serverIds());
        servers = targets.size();

        // The nodes first, then the database: an account a node already runs is then either held by a live
        // operation or placed in the snapshot, so a placement in progress is never mistaken for drift.
        List<Promise<List<AccountRuntimeState>>> lists = new ArrayList<>();
        List<Promise<List<SessionDir>>> dirs = new ArrayList<>();
        for (ServerTarget target : targets) {
            lists.add(Async.function(node(target.nodeId(), NODE_LIST)::listAccounts));
            dirs.add(Async.function(reconcile::sessionDirs, target.nodeId()));
        }
        List<NodeView> views = new ArrayList<>();
        Set<String> reportedIds = new TreeSet<>();
        Set<String> dirIds = new TreeSet<>();
        for (int i = 0; i < targets.size(); i++) {
            NodeView view = view(targets.get(i), lists.get(i), dirs.get(i));
            views.add(view);
            reportedIds.addAll(view.running());
            if (view.sessionDirs() != null) {
                view.sessionDirs().forEach(d -> dirIds.add(d.accountId()));
            }
        }

        phase = "comparing";
        FleetSnapshot snapshot = reconcile.snapshot(List.copyOf(reportedIds), List.copyOf(dirIds));
        List<Drift> drifts = DriftDetector.detect(views, snapshot);
        found = drifts.size();
        List<RepairOutcome> outcomes = new ArrayList<>();
        if (r.dryRun()) {
            drifts.forEach(d -> outcomes.add(new RepairOutcome(
                    d, d.action().reportOnly() ? RepairOutcome.REPORTED : RepairOutcome.PLANNED, null)));
            phase = "done";
            return new ReconcileReport(true, views, outcomes);
        }

        phase = "repairing";
        for (Drift drift : drifts) {
            RepairOutcome outcome = repair(drift);
            outcomes.add(outcome);
            if (RepairOutcome.DONE.equals(outcome.outcome())) {
                repaired++;
            } else if (RepairOutcome.FAILED.equals(outcome.outcome())) {
                failed++;
            }
            if (!drift.action().reportOnly() || drift.alert()) {
                reconcile.record(workflowId, drift, outcome.outcome(), outcome.detail());
            }
        }
        List<String> runningAgain = runningAgain(views, snapshot);
        if (!runningAgain.isEmpty()) {
            reconcile.confirmRunning(runningAgain);
        }
        phase = "done";
        log.info(
                "reconcile {}: {} servers, {} drifts, {} repaired, {} failed",
                workflowId,
                servers,
                found,
                repaired,
                failed);
        return new ReconcileReport(false, views, outcomes);
    }

    @Override
    public ReconcileProgress progress() {
        return new ReconcileProgress(phase, servers, found, repaired, failed);
    }

    private NodeView view(
            ServerTarget target, Promise<List<AccountRuntimeState>> listed, Promise<List<SessionDir>> dirsListed) {
        String server = target.nodeId();
        List<String> problems = new ArrayList<>();
        String source;
        List<String> running;
        try {
            running = listed.get().stream()
                    .filter(a -> !NOT_HOSTED.contains(a.status()))
                    .map(AccountRuntimeState::accountId)
                    .sorted()
                    .toList();
            source = NodeView.FROM_NODE;
        } catch (ActivityFailure f) {
            String why = "server " + server + ", step list accounts: " + message(f);
            if (target.heartbeatRunning() != null) {
                running = target.heartbeatRunning().stream().sorted().toList();
                source = NodeView.FROM_HEARTBEAT;
                problems.add(why + "; using its latest heartbeat");
            } else {
                running = List.of();
                source = NodeView.UNKNOWN;
                problems.add(why + "; no recent heartbeat either, so nothing is concluded about what it runs");
            }
        }
        List<SessionDir> dirs;
        try {
            dirs = dirsListed.get();
        } catch (ActivityFailure f) {
            dirs = null;
            problems.add("server " + server + ", step list session directories: " + message(f));
        }
        return new NodeView(
                server,
                target.status(),
                source,
                running,
                dirs,
                problems.isEmpty() ? null : String.join("; ", problems));
    }

    private RepairOutcome repair(Drift d) {
        if (d.action().reportOnly()) {
            return new RepairOutcome(d, RepairOutcome.REPORTED, null);
        }
        try {
            String detail = switch (d.action()) {
                case FINISH, RELEASE, ABORT_MIGRATION, SETTLE_OFFLINE -> {
                    reconcile.settle(d.accountId(), d.serverId(), d.operationId(), d.action(), d.detail());
                    yield d.action().name().toLowerCase() + " " + d.operationId();
                }
                case MARK_FAILED -> {
                    if (d.kind() == DriftKind.ORPHANED_OPERATION) {
                        reconcile.settle(d.accountId(), d.serverId(), d.operationId(), d.action(), d.detail());
                    } else {
                        reconcile.markFailed(d.accountId(), d.serverId(), d.detail());
                    }
                    yield "marked failed on " + d.serverId();
                }
                case STOP ->
                    "stopped on " + d.serverId() + ": "
                            + node(d.serverId(), NODE_ACTION)
                                    .stopAccount(d.accountId())
                                    .status();
                case RESTART -> restart(d);
                case REMOVE_DIR -> {
                    sessions.remove(d.accountId(), d.serverId());
                    yield "session directory removed from " + d.serverId();
                }
                case KEEP_DIR, MERGE -> throw new IllegalStateException("report-only action " + d.action());
            };
            return new RepairOutcome(d, RepairOutcome.DONE, detail);
        } catch (ActivityFailure f) {
            String why = "account " + d.accountId() + " on server " + d.serverId() + ", step "
                    + d.action().name().toLowerCase() + ": " + message(f);
            boolean changedMeanwhile = FailureTypes.CLAIM_LOST.equals(type(f));
            log.warn("reconcile: {}", why);
            return new RepairOutcome(d, changedMeanwhile ? RepairOutcome.SKIPPED : RepairOutcome.FAILED, why);
        }
    }

    /** Counts the attempt, starts the account; a node without its session gets the stored copy first. */
    private String restart(Drift d) {
        int attempt = reconcile.restartAttempt(d.accountId(), d.serverId());
        NodeAgentActivities node = node(d.serverId(), NODE_ACTION);
        StartAccountRequest start = new StartAccountRequest(d.accountId(), d.scriptId());
        try {
            return "restart " + attempt + " on " + d.serverId() + ": "
                    + node.startAccount(start).status();
        } catch (ActivityFailure f) {
            if (!FailureTypes.SESSION_MISSING.equals(type(f))) {
                throw f;
            }
        }
        // Only when the node has no session at all: never over a session the node holds (it may be newer).
        sessions.upload(d.accountId(), d.serverId());
        return "restart " + attempt + " on " + d.serverId() + " (stored session uploaded first): "
                + node.startAccount(start).status();
    }

    /** Accounts with counted restarts that their servers now run: their count starts again. */
    private static List<String> runningAgain(List<NodeView> views, FleetSnapshot snapshot) {
        List<String> ids = new ArrayList<>();
        for (AccountRow row : snapshot.accounts()) {
            if (row.restartAttempts() > 0 && row.serverId() != null) {
                for (NodeView view : views) {
                    if (view.serverId().equals(row.serverId()) && view.running().contains(row.accountId())) {
                        ids.add(row.accountId());
                    }
                }
            }
        }
        return ids;
    }

    private static NodeAgentActivities node(String serverId, ActivityOptions options) {
        return Workflow.newActivityStub(
                NodeAgentActivities.class,
                ActivityOptions.newBuilder(options)
                        .setTaskQueue(TaskQueues.node(serverId))
                        .build());
    }

    private static String type(ActivityFailure failure) {
        return failure.getCause() instanceof ApplicationFailure app ? app.getType() : null;
    }

    private static String message(ActivityFailure failure) {
        Throwable cause = failure.getCause();
        if (cause instanceof ApplicationFailure app) {
            return app.getOriginalMessage();
        }
        if (cause instanceof TimeoutFailure t) {
            return switch (t.getTimeoutType()) {
                case TIMEOUT_TYPE_SCHEDULE_TO_START ->
                    "no worker picked the task up from its queue in time (the node is down or its agent is not running)";
                case TIMEOUT_TYPE_START_TO_CLOSE -> "the activity did not finish in time";
                default -> "timed out (" + t.getTimeoutType() + ")";
            };
        }
        return cause == null ? failure.getMessage() : cause.getMessage();
    }
}
