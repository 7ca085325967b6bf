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
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;

/**
 * One reconciliation pass over a set of servers, in workflow code: ask their nodes, then (given the
 * database's snapshot and the drifts found in it) check each drift again, repair it, record it. The
 * unpaged {@link ReconcileWorkflow} path (kept for runs started before paging, which replay it command for
 * command) passes over every server, each {@link ReconcileChunkWorkflow} over its page.
 */
final class ReconcilePass {

    private static final Logger log = Workflow.getLogger(ReconcilePass.class);

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

    static final String CONFIRM_DRIFTS = "confirm-drifts";

    private final ReconcileActivities reconcile;
    private final SessionTransferActivities sessions;
    private final String workflowId;

    String phase = "listing";
    int servers;
    int found;
    int repaired;
    int failed;

    ReconcilePass(ReconcileActivities reconcile, SessionTransferActivities sessions, String workflowId) {
        this.reconcile = reconcile;
        this.sessions = sessions;
        this.workflowId = workflowId;
    }

    static ReconcilePass of(String workflowId) {
        return new ReconcilePass(
                Workflow.newActivityStub(ReconcileActivities.class, CONTROL_PLANE),
                Workflow.newActivityStub(SessionTransferActivities.class, SessionTransferOptions.OPTIONS),
                workflowId);
    }

    ReconcileActivities activities() {
        return reconcile;
    }

    ReconcileProgress progress() {
        return new ReconcileProgress(phase, servers, found, repaired, failed, servers, "done".equals(phase) ? 1 : 0);
    }

    /** Asks every target's node what it runs and which session directories it holds, all at once. */
    List<NodeView> list(List<ServerTarget> targets) {
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
        for (int i = 0; i < targets.size(); i++) {
            views.add(view(targets.get(i), lists.get(i), dirs.get(i)));
        }
        return views;
    }

    static List<String> reportedIds(List<NodeView> views) {
        Set<String> ids = new TreeSet<>();
        views.forEach(v -> ids.addAll(v.running()));
        return List.copyOf(ids);
    }

    static List<String> dirIds(List<NodeView> views) {
        Set<String> ids = new TreeSet<>();
        for (NodeView view : views) {
            if (view.sessionDirs() != null) {
                view.sessionDirs().forEach(d -> ids.add(d.accountId()));
            }
        }
        return List.copyOf(ids);
    }

    /** The session directories each server holds (those that could be listed), by server, in order. */
    static Map<String, List<String>> dirsByServer(List<NodeView> views) {
        Map<String, List<String>> dirs = new TreeMap<>();
        for (NodeView view : views) {
            if (view.sessionDirs() != null && !view.sessionDirs().isEmpty()) {
                dirs.put(
                        view.serverId(),
                        view.sessionDirs().stream()
                                .map(SessionDir::accountId)
                                .sorted()
                                .toList());
            }
        }
        return dirs;
    }

    /**
     * Checks each drift again, then (unless {@code dryRun}) repairs it and records it; clears the restart counts
     * of accounts running again. Every drift's outcome, in the order found.
     */
    List<RepairOutcome> resolve(List<NodeView> views, FleetSnapshot snapshot, List<Drift> detected, boolean dryRun) {
        return resolve(views, snapshot, detected, dryRun, Map.of());
    }

    /**
     * As {@link #resolve(List, FleetSnapshot, List, boolean)}; the drifts in {@code heldBack} are not acted on
     * (a restart while the account may run on a server of another page): skipped with the reason, and recorded.
     */
    List<RepairOutcome> resolve(
            List<NodeView> views,
            FleetSnapshot snapshot,
            List<Drift> detected,
            boolean dryRun,
            Map<Drift, String> heldBack) {
        List<RepairOutcome> outcomes = new ArrayList<>();
        // A migration, failover, allocation, backup or restore that finished between the listing and the snapshot
        // looks like drift: each drift that would act on a node or a placed row is checked again first.
        phase = "confirming";
        Map<Drift, String> changed = changedDuringRun(detected, snapshot);
        List<Drift> drifts = new ArrayList<>();
        for (Drift d : detected) {
            String why = changed.get(d);
            if (why == null) {
                drifts.add(d);
            } else {
                log.info("reconcile {}: not a drift, {}: {}", workflowId, why, d.detail());
                outcomes.add(new RepairOutcome(d, RepairOutcome.CHANGED, why));
            }
        }
        found = drifts.size();
        if (dryRun) {
            drifts.forEach(d -> outcomes.add(
                    heldBack.containsKey(d)
                            ? new RepairOutcome(d, RepairOutcome.SKIPPED, heldBack.get(d))
                            : new RepairOutcome(
                                    d,
                                    d.action().reportOnly() ? RepairOutcome.REPORTED : RepairOutcome.PLANNED,
                                    null)));
            phase = "done";
            return outcomes;
        }

        phase = "repairing";
        for (Drift drift : drifts) {
            String held = heldBack.get(drift);
            RepairOutcome outcome =
                    held == null ? repair(drift) : new RepairOutcome(drift, RepairOutcome.SKIPPED, held);
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
        return outcomes;
    }

    /** Drifts that act on a node or a placed row, checked again before anything is done about them. */
    private static boolean needsConfirming(Drift d) {
        return d.kind() != DriftKind.ORPHANED_OPERATION && !d.action().reportOnly();
    }

    /**
     * The drifts that no longer hold, with why. The rows are read, the nodes involved asked again, the rows read
     * once more: a drift stands only when its account's placement (server, reservation, operation) is the same in
     * the snapshot and in both reads, no workflow {@code account-<id>} runs for it at either read, and the node
     * still says what the drift assumed (a STOP's node runs it; a RESTART's node answers and does not run it).
     * A change between the listing and the snapshot thus shows on the node, one after it on the row. Orphaned
     * operations need none of this: their settlements are conditional on the dead operation still holding the row.
     */
    private Map<Drift, String> changedDuringRun(List<Drift> drifts, FleetSnapshot snapshot) {
        List<Drift> checked =
                drifts.stream().filter(ReconcilePass::needsConfirming).toList();
        Map<Drift, String> changed = new HashMap<>();
        // A run started before this check existed replays without it.
        if (checked.isEmpty()
                || Workflow.getVersion(CONFIRM_DRIFTS, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
            return changed;
        }
        List<String> ids =
                checked.stream().map(Drift::accountId).distinct().sorted().toList();
        Map<String, AccountCheck> before = byAccount(reconcile.recheck(ids));
        List<String> serverIds = checked.stream()
                .filter(d -> d.action() == RepairAction.STOP
                        || d.action() == RepairAction.RESTART
                        || d.action() == RepairAction.MARK_FAILED)
                .map(Drift::serverId)
                .distinct()
                .sorted()
                .toList();
        Map<String, Promise<List<AccountRuntimeState>>> lists = new TreeMap<>();
        for (String server : serverIds) {
            lists.put(server, Async.function(node(server, NODE_LIST)::listAccounts));
        }
        Map<String, Set<String>> runsNow = new HashMap<>();
        for (Map.Entry<String, Promise<List<AccountRuntimeState>>> e : lists.entrySet()) {
            try {
                runsNow.put(
                        e.getKey(),
                        e.getValue().get().stream()
                                .filter(a -> !NOT_HOSTED.contains(a.status()))
                                .map(AccountRuntimeState::accountId)
                                .collect(Collectors.toSet()));
            } catch (ActivityFailure f) {
                log.info("reconcile: server {} did not answer the re-check: {}", e.getKey(), message(f));
            }
        }
        Map<String, AccountCheck> after = byAccount(reconcile.recheck(ids));
        Map<String, AccountRow> seen = new HashMap<>();
        snapshot.accounts().forEach(r -> seen.put(r.accountId(), r));
        for (Drift d : checked) {
            String why = accountChanged(seen.get(d.accountId()), before.get(d.accountId()), after.get(d.accountId()));
            if (why == null) {
                why = nodeChanged(d, runsNow.get(d.serverId()));
            }
            if (why != null) {
                changed.put(d, "changed during the run: account " + d.accountId() + " " + why);
            }
        }
        return changed;
    }

    private static Map<String, AccountCheck> byAccount(List<AccountCheck> checks) {
        Map<String, AccountCheck> by = new HashMap<>();
        checks.forEach(c -> by.put(c.accountId(), c));
        return by;
    }

    /** Why the account's row or operations are no longer as the snapshot saw them; null if they are. */
    private static String accountChanged(AccountRow seen, AccountCheck before, AccountCheck after) {
        for (AccountCheck now : new AccountCheck[] {before, after}) {
            if (now != null && now.runningWorkflow() != null) {
                return "is being worked on by workflow " + now.runningWorkflow();
            }
        }
        for (AccountCheck now : new AccountCheck[] {before, after}) {
            AccountRow row = now == null ? null : now.row();
            if (!samePlacement(seen, row)) {
                return row == null
                        ? "no longer exists in the database"
                        : "was changed in the database meanwhile (now on "
                                + (row.serverId() == null ? "no server" : row.serverId())
                                + (row.reservedServerId() == null ? "" : ", reserved on " + row.reservedServerId())
                                + (row.operationId() == null ? "" : ", held by " + row.operationId())
                                + ")";
            }
        }
        return null;
    }

    private static boolean samePlacement(AccountRow a, AccountRow b) {
        if (a == null || b == null) {
            return a == b;
        }
        return Objects.equals(a.serverId(), b.serverId())
                && Objects.equals(a.reservedServerId(), b.reservedServerId())
                && Objects.equals(a.operationId(), b.operationId());
    }

    /** Why the drift's node no longer says what the drift assumed; null if it does (or, for a STOP, did not answer). */
    private static String nodeChanged(Drift d, Set<String> runsNow) {
        return switch (d.action()) {
            // A node that does not answer now cannot be stopped either; the STOP fails and is reported as such.
            case STOP ->
                runsNow != null && !runsNow.contains(d.accountId()) ? "no longer runs on " + d.serverId() : null;
            case RESTART, MARK_FAILED ->
                runsNow == null
                        ? "could not be checked again: " + d.serverId() + " did not answer"
                        : runsNow.contains(d.accountId()) ? "runs on " + d.serverId() + " now" : null;
            default -> null;
        };
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
        return io.groupai.fleet.workflows.allocation.Failures.message(failure);
    }
}
