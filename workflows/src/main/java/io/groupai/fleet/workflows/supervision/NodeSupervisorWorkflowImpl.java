package io.groupai.fleet.workflows.supervision;

import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.agent.NodeAgentActivities;
import io.groupai.fleet.workflows.agent.NodePing;
import io.groupai.fleet.workflows.allocation.Failures;
import io.groupai.fleet.workflows.nodes.NodeOperationsActivities;
import io.groupai.fleet.workflows.nodes.NodeProbeReport;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

public class NodeSupervisorWorkflowImpl implements NodeSupervisorWorkflow {

    private static final Logger log = Workflow.getLogger(NodeSupervisorWorkflowImpl.class);

    /** Checks per run before continuing as new (history stays small: a few events per check). */
    static final int CHECKS_PER_RUN = 500;
    /** Events kept in the query's history (the database keeps them all). */
    static final int HISTORY = 50;
    /** A check after the lease's expiry waits this much more, so a heartbeat in flight is not counted late. */
    static final Duration EXPIRY_GRACE = Duration.ofSeconds(1);

    /** A live agent answers a ping at once (it long-polls its queue); half the health interval, within these. */
    static final Duration MIN_PING = Duration.ofSeconds(2);

    static final Duration MAX_PING = Duration.ofSeconds(15);

    /** Between two checks at least this long, even when a check took longer than the interval. */
    static final Duration MIN_SLEEP = Duration.ofMillis(200);

    public static final String UNKNOWN = "unknown";
    public static final String UP = "up";
    public static final String SUSPECT = "suspect";
    public static final String DOWN = "down";

    private static final RetryOptions FEW_RETRIES = RetryOptions.newBuilder()
            .setInitialInterval(Duration.ofSeconds(1))
            .setMaximumInterval(Duration.ofSeconds(10))
            .setMaximumAttempts(3)
            .build();

    private final SupervisionActivities db = Workflow.newActivityStub(
            SupervisionActivities.class,
            ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofSeconds(30))
                    .setRetryOptions(RetryOptions.newBuilder()
                            .setInitialInterval(Duration.ofSeconds(1))
                            .setMaximumInterval(Duration.ofMinutes(1))
                            .build())
                    .build());

    /** One attempt: a probe that fails is an answer, not something to retry. */
    private final NodeOperationsActivities ssh = Workflow.newActivityStub(
            NodeOperationsActivities.class,
            ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofMinutes(1))
                    .setRetryOptions(
                            RetryOptions.newBuilder().setMaximumAttempts(1).build())
                    .build());

    private String nodeId;
    private String state = UNKNOWN;
    private int failures;
    private long lastProbeAt;
    private String lastProbe;
    private String failoverWorkflowId;
    private String lastCheckAt;
    private NodeCheck last;
    private List<HealthEvent> history = new ArrayList<>();
    private boolean checkNow;
    private Duration pingTimeout = MAX_PING;

    @Override
    public NodeHealth supervise(SupervisionState input) {
        nodeId = input.nodeId();
        if (input.state() != null) {
            state = input.state();
            failures = input.consecutiveFailures();
            lastProbeAt = input.lastProbeAtMillis();
            lastProbe = input.lastProbe();
            failoverWorkflowId = input.failoverWorkflowId();
            history = new ArrayList<>(input.history());
        } else {
            // A fresh supervisor probes after one probe interval; the lease speaks first.
            lastProbeAt = Workflow.currentTimeMillis();
        }
        for (int checks = 0; checks < CHECKS_PER_RUN; checks++) {
            long started = Workflow.currentTimeMillis();
            NodeCheck check = db.check(nodeId);
            last = check;
            lastCheckAt = now().toString();
            if (!check.registered()) {
                log.info("server {} is no longer registered: supervision ends", nodeId);
                return health();
            }
            checkNow = false;
            // Checks are a health interval apart from start to start: the probe's own time (a ping that
            // times out takes MIN_PING) must not stretch three failed checks to three intervals plus
            // three pings, which would put a dead node's failover past its target.
            Duration sleep = evaluate(check).minusMillis(Workflow.currentTimeMillis() - started);
            Workflow.await(max(sleep, MIN_SLEEP), () -> checkNow);
            if (Workflow.getInfo().isContinueAsNewSuggested()) {
                break;
            }
        }
        Workflow.continueAsNew(new SupervisionState(
                nodeId, state, failures, lastProbeAt, lastProbe, failoverWorkflowId, List.copyOf(history)));
        return health(); // not reached: continue-as-new ends this run
    }

    /** One check; returns how long to wait before the next. */
    private Duration evaluate(NodeCheck check) {
        Duration health = Duration.ofSeconds(Math.max(1, check.healthIntervalSeconds()));
        Duration probeEvery = Duration.ofSeconds(Math.max(1, check.probeIntervalSeconds()));
        long nowMs = Workflow.currentTimeMillis();
        boolean probeDue = nowMs - lastProbeAt >= probeEvery.toMillis();
        pingTimeout = clamp(health.dividedBy(2), MIN_PING, MAX_PING);
        if (check.leaseValid()) {
            if (probeDue && !probe()) {
                // The heartbeat is the primary signal: a probe that fails while the lease is renewed is
                // recorded (SSH or the Temporal worker may be broken) but does not count towards down.
                event(
                        state,
                        "probe_failed",
                        "server " + nodeId + ": lease valid until " + check.leaseExpiresAt() + ", but " + lastProbe);
            }
            succeeded("heartbeat renewed the lease until " + check.leaseExpiresAt());
            Duration untilExpiry = Duration.ofMillis(check.leaseMillisLeft()).plus(EXPIRY_GRACE);
            Duration untilProbe = Duration.ofMillis(Math.max(1000, lastProbeAt + probeEvery.toMillis() - nowMs));
            return min(untilExpiry, untilProbe);
        }
        if (!check.leaseExpired()) {
            // No lease yet (never bootstrapped or before its first heartbeat): probes are recorded, and the
            // server is checked every health interval for its first heartbeat; it cannot be down yet.
            if (probeDue && !probe()) {
                event(state, "probe_failed", "server " + nodeId + " (no heartbeat yet): " + lastProbe);
            }
            // Not longer than a lease: a lease granted meanwhile is then seen before it can run out. A node that
            // got its first lease and died during a longer wait was checked up to (interval - lease) after its
            // lease expired (the demo: a 60 s interval, a 20 s lease, the first failed check 26 s late).
            return check.leaseTtlMillis() > 0 ? min(health, Duration.ofMillis(check.leaseTtlMillis())) : health;
        }
        if (check.graceMillis() > 0) {
            // The control plane itself was down until a moment ago: no node could renew its lease. Their
            // heartbeats resume within an interval; only a lease still expired after that counts.
            return min(health, Duration.ofMillis(check.graceMillis()));
        }
        // The lease ran out: the node has not renewed it, and has stopped its accounts (fencing).
        probe();
        String probe = lastProbe;
        failures++;
        String why = "server " + nodeId + ": lease expired at " + check.leaseExpiresAt() + " (last heartbeat "
                + (check.lastHeartbeat() == null ? "never" : check.lastHeartbeat()) + "); " + probe
                + "; failed check " + failures + " of " + check.failureThreshold();
        if (DOWN.equals(state)) {
            if (failures % 10 == 0) {
                event(DOWN, "check_failed", why);
            }
            return health;
        }
        if (failures < check.failureThreshold()) {
            state = SUSPECT;
            event(SUSPECT, "check_failed", why);
            return health;
        }
        state = DOWN;
        event(
                DOWN,
                "marked_down",
                why + "; marked down" + (check.accounts() > 0 ? ", " + check.accounts() + " accounts to move" : ""));
        if (check.failoverEnabled() && check.accounts() > 0) {
            startFailover(why);
        }
        return health;
    }

    private void succeeded(String detail) {
        if (DOWN.equals(state)) {
            event(UP, "marked_up", "server " + nodeId + " recovered after " + failures + " failed checks: " + detail);
        } else if (SUSPECT.equals(state)) {
            event(UP, "recovered", "server " + nodeId + " recovered after " + failures + " failed checks: " + detail);
        } else if (UNKNOWN.equals(state)) {
            event(UP, "supervised", "server " + nodeId + ": " + detail);
        }
        state = UP;
        failures = 0;
    }

    /**
     * SSH probe and a ping on the node's queue, side by side; true when both answered. What they
     * found ("ssh ok (...), ping ok" or what failed) is kept in {@link #lastProbe}.
     */
    private boolean probe() {
        lastProbeAt = Workflow.currentTimeMillis();
        NodeAgentActivities agent = Workflow.newActivityStub(
                NodeAgentActivities.class,
                ActivityOptions.newBuilder()
                        .setTaskQueue(TaskQueues.node(nodeId))
                        // A dead agent never picks it up: that is the answer, after this long.
                        .setScheduleToCloseTimeout(pingTimeout)
                        .setRetryOptions(
                                RetryOptions.newBuilder().setMaximumAttempts(1).build())
                        .build());
        Promise<NodeProbeReport> sshResult = Async.function(ssh::probe, nodeId);
        Promise<NodePing> pingResult = Async.function(agent::ping);
        String sshText;
        boolean ok = true;
        try {
            NodeProbeReport r = sshResult.get();
            sshText = "ssh ok (agent process " + (r.processAlive() ? "alive" : "not running") + ", " + r.latencyMillis()
                    + " ms)";
            if (!r.processAlive()) {
                sshText = "ssh answered but the agent process is not running";
                ok = false;
            }
        } catch (ActivityFailure f) {
            sshText = "ssh failed: " + Failures.message(f);
            ok = false;
        }
        String pingText;
        try {
            NodePing p = pingResult.get();
            pingText = "ping ok";
            if (!nodeId.equals(p.nodeId())) {
                pingText = "ping answered by " + p.nodeId();
                ok = false;
            }
        } catch (ActivityFailure f) {
            pingText = "ping on " + TaskQueues.node(nodeId) + " failed: " + Failures.message(f);
            ok = false;
        }
        lastProbe = sshText + ", " + pingText;
        return ok;
    }

    private void startFailover(String why) {
        String id = WorkflowIds.failover(nodeId);
        FailoverWorkflow failover = Workflow.newChildWorkflowStub(
                FailoverWorkflow.class,
                ChildWorkflowOptions.newBuilder()
                        .setWorkflowId(id)
                        // It outlives this run (continue-as-new) and finishes on its own.
                        .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
                        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                        .build());
        Promise<FailoverResult> result = Async.function(failover::failover, new FailoverRequest(nodeId, why, 0));
        try {
            Workflow.getWorkflowExecution(failover).get();
            failoverWorkflowId = id;
            event(DOWN, "failover_started", "server " + nodeId + ": failover " + id + " moves its accounts");
        } catch (io.temporal.failure.TemporalFailure f) {
            // Already running from an earlier down (e.g. before a continue-as-new): that one carries on.
            event(
                    DOWN,
                    "failover_not_started",
                    "server " + nodeId + ": failover " + id + " not started: " + f.getMessage());
        }
    }

    private void event(String newState, String kind, String detail) {
        HealthEvent e = new HealthEvent(now().toString(), newState, kind, detail);
        history.add(e);
        while (history.size() > HISTORY) {
            history.remove(0);
        }
        db.record(nodeId, e);
    }

    @Override
    public NodeHealth health() {
        return new NodeHealth(
                nodeId,
                state,
                failures,
                lastCheckAt,
                last == null ? null : last.leaseExpiresAt(),
                last == null ? null : last.lastHeartbeat(),
                lastProbe,
                failoverWorkflowId,
                List.copyOf(history));
    }

    @Override
    public NodeHealth progress() {
        return health();
    }

    @Override
    public void checkNow() {
        checkNow = true;
    }

    private static Instant now() {
        return Instant.ofEpochMilli(Workflow.currentTimeMillis());
    }

    private static Duration clamp(Duration d, Duration low, Duration high) {
        return d.compareTo(low) < 0 ? low : d.compareTo(high) > 0 ? high : d;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
