package io.groupai.fleet.workflows.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.nodes.NodeOperationsActivities;
import io.groupai.fleet.workflows.nodes.NodeProbeReport;
import io.groupai.fleet.workflows.nodes.ProcessState;
import io.groupai.fleet.workflows.nodes.StepProgress;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node supervisor on Temporal's time-skipping test server: the lease (in test-environment
 * time) is the primary signal; an expired lease is a failed check with an SSH probe and a ping;
 * three in a row mark the server down and start failover; a renewed lease marks it up.
 */
class NodeSupervisorWorkflowTest {

    static final List<FailoverRequest> FAILOVERS = new CopyOnWriteArrayList<>();

    private TestWorkflowEnvironment env;
    private WorkflowClient client;
    private final FakeDb db = new FakeDb();
    private final FakeSsh ssh = new FakeSsh();
    private final FakeAgent agent = new FakeAgent();

    @BeforeEach
    void setUp() {
        FAILOVERS.clear();
        env = TestWorkflowEnvironment.newInstance();
        Worker worker = env.newWorker(TaskQueues.CONTROL_PLANE);
        worker.registerWorkflowImplementationTypes(NodeSupervisorWorkflowImpl.class, RecordingFailover.class);
        worker.registerActivitiesImplementations(db, ssh);
        // The node's agent: answers pings unless dead (a dead agent's ping times out on its queue; here it
        // fails at once, since the test server does not skip time while an activity task waits for a poller).
        env.newWorker(TaskQueues.node("n1")).registerActivitiesImplementations(agent);
        client = env.getWorkflowClient();
        env.start();
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    private NodeSupervisorWorkflow supervise() {
        NodeSupervisorWorkflow stub = client.newWorkflowStub(
                NodeSupervisorWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.CONTROL_PLANE)
                        .setWorkflowId("node-n1")
                        .build());
        WorkflowClient.start(stub::supervise, SupervisionState.start("n1"));
        return stub;
    }

    @Test
    void threeExpiredChecksMarkTheServerDownAndStartFailoverOnceARenewedLeaseMarksItUp() {
        db.renewLease(Duration.ofSeconds(90));
        NodeSupervisorWorkflow supervisor = supervise();
        env.sleep(Duration.ofSeconds(5));
        assertThat(supervisor.health().state()).isEqualTo("up");

        // The node dies now: no more renewals. Its lease runs out 90 s later; checks follow every 30 s.
        agent.dead = true;
        long died = env.currentTimeMillis();
        env.sleep(Duration.ofSeconds(92));
        NodeHealth first = supervisor.health();
        assertThat(first.state()).isEqualTo("suspect");
        assertThat(first.consecutiveFailures()).isEqualTo(1);
        assertThat(first.lastProbe()).contains("ssh failed", "ping on node-n1 failed");
        assertThat(FAILOVERS).isEmpty();

        env.sleep(Duration.ofSeconds(100));
        NodeHealth down = supervisor.health();
        assertThat(down.state()).isEqualTo("down");
        assertThat(down.consecutiveFailures()).isGreaterThanOrEqualTo(3);
        assertThat(down.failoverWorkflowId()).isEqualTo("failover-n1");
        assertThat(FAILOVERS).singleElement().satisfies(f -> {
            assertThat(f.nodeId()).isEqualTo("n1");
            assertThat(f.reason()).contains("lease expired", "failed check 3 of 3");
        });
        assertThat(db.events)
                .extracting(HealthEvent::event)
                .containsSubsequence("supervised", "check_failed", "check_failed", "marked_down", "failover_started");
        long downAt = db.downAt;
        assertThat(downAt - died)
                .as("down within lease TTL + 3 health intervals (+ probe time)")
                .isLessThanOrEqualTo(Duration.ofSeconds(90 + 3 * 30).toMillis());

        // Still down later: failover is not started again.
        env.sleep(Duration.ofMinutes(5));
        assertThat(FAILOVERS).hasSize(1);

        // The agent comes back and renews its lease.
        agent.dead = false;
        db.renewLease(Duration.ofSeconds(90));
        supervisor.checkNow();
        env.sleep(Duration.ofSeconds(2));
        NodeHealth up = supervisor.health();
        assertThat(up.state()).isEqualTo("up");
        assertThat(up.consecutiveFailures()).isZero();
        assertThat(db.events.get(db.events.size() - 1).event()).isEqualTo("marked_up");
        assertThat(db.events.get(db.events.size() - 1).detail()).contains("recovered");
    }

    @Test
    void aNodeThatDiesRightAfterItsFirstHeartbeatIsCheckedWhenItsLeaseRunsOutNotAHealthIntervalLater() {
        // The demo's servers: registered with a 60 s health interval, lease 20 s. The supervisor starts before
        // the node's first heartbeat, so there is no lease to sleep on yet.
        db.healthSeconds = 60;
        db.leaseTtl = Duration.ofSeconds(20);
        NodeSupervisorWorkflow supervisor = supervise();
        env.sleep(Duration.ofSeconds(5));
        // The node's first heartbeat, and its last: the agent dies.
        db.renewLease(db.leaseTtl);
        long expiry = db.leaseExpiry;
        agent.dead = true;
        env.sleep(Duration.ofSeconds(23));
        NodeHealth late = supervisor.health();
        assertThat(late.consecutiveFailures())
                .as("a failed check within 3 s of the lease's expiry (history %s)", late.history())
                .isEqualTo(1);
        HealthEvent first = db.events.stream()
                .filter(e -> e.event().equals("check_failed"))
                .findFirst()
                .orElseThrow();
        assertThat(java.time.Instant.parse(first.at()).toEpochMilli() - expiry)
                .as("first failed check after the lease expired, in ms")
                .isBetween(0L, 2_000L);
    }

    @Test
    void leasesThatRanOutWhileTheControlPlaneWasDownAreNotHeldAgainstTheNodes() {
        // The control plane was down for 2 minutes: the node's lease expired 30 s ago, and it could not renew.
        db.leaseExpiry = env.currentTimeMillis() - 30_000;
        db.graceUntil = env.currentTimeMillis() + 90_000;
        NodeSupervisorWorkflow supervisor = supervise();
        env.sleep(Duration.ofSeconds(40));
        assertThat(supervisor.health().consecutiveFailures()).isZero();
        // Its next heartbeat (within 30 s of the restart) renews the lease.
        db.renewLease(Duration.ofSeconds(90));
        env.sleep(Duration.ofSeconds(60));
        assertThat(supervisor.health().state()).isEqualTo("up");
        assertThat(db.events).extracting(HealthEvent::event).doesNotContain("check_failed", "marked_down");
        assertThat(FAILOVERS).isEmpty();
    }

    @Test
    void aHealthyNodeCostsOneDatabaseReadPerLeaseAndAProbeEveryProbeInterval() {
        db.renewing = true;
        supervise();
        env.sleep(Duration.ofMinutes(30));
        // 30 min / 90 s lease = 20 wake-ups for the lease, plus one per 5-minute probe.
        assertThat(db.checks.get()).isBetween(20, 30);
        assertThat(ssh.probes.get()).isBetween(5, 7);
        assertThat(FAILOVERS).isEmpty();
    }

    @Test
    void aProbeThatFailsWhileTheLeaseIsRenewedIsRecordedButNeverMarksDown() {
        db.renewing = true;
        supervise();
        env.sleep(Duration.ofMinutes(31));
        assertThat(db.events)
                .extracting(HealthEvent::event)
                .contains("probe_failed")
                .doesNotContain("marked_down");
        assertThat(db.events)
                .filteredOn(e -> e.event().equals("probe_failed"))
                .first()
                .satisfies(e -> assertThat(e.detail()).contains("lease valid", "ssh failed"));
    }

    @Test
    void aDeletedServerEndsItsSupervisor() {
        db.renewLease(Duration.ofSeconds(90));
        NodeSupervisorWorkflow supervisor = supervise();
        env.sleep(Duration.ofSeconds(5));
        db.registered = false;
        supervisor.checkNow();
        NodeHealth last = client.newUntypedWorkflowStub("node-n1").getResult(NodeHealth.class);
        assertThat(last.nodeId()).isEqualTo("n1");
    }

    /** The database: a lease in test-environment time. */
    final class FakeDb implements SupervisionActivities {
        volatile long leaseExpiry = Long.MIN_VALUE;
        volatile boolean renewing;
        volatile boolean registered = true;
        volatile long downAt;
        volatile long graceUntil;
        volatile long healthSeconds = 30;
        volatile Duration leaseTtl = Duration.ofSeconds(90);
        final AtomicInteger checks = new AtomicInteger();
        final List<HealthEvent> events = Collections.synchronizedList(new ArrayList<>());

        void renewLease(Duration ttl) {
            leaseExpiry = env.currentTimeMillis() + ttl.toMillis();
        }

        @Override
        public NodeCheck check(String nodeId) {
            checks.incrementAndGet();
            if (renewing) {
                renewLease(Duration.ofSeconds(90));
            }
            Long left = leaseExpiry == Long.MIN_VALUE ? null : leaseExpiry - env.currentTimeMillis();
            long grace = Math.max(0, graceUntil - env.currentTimeMillis());
            return new NodeCheck(
                    nodeId,
                    registered,
                    left,
                    "lease-" + leaseExpiry,
                    null,
                    healthSeconds,
                    300,
                    3,
                    true,
                    2,
                    grace,
                    leaseTtl.toMillis());
        }

        @Override
        public void record(String nodeId, HealthEvent event) {
            events.add(event);
            if (event.event().equals("marked_down")) {
                downAt = env.currentTimeMillis();
            }
        }

        @Override
        public List<String> accountsOn(String nodeId) {
            return List.of("acc1", "acc2");
        }

        @Override
        public long millisUntilFenced(String nodeId, long marginMillis) {
            return 0;
        }
    }

    /** The node's agent on its queue; only ping is used by supervision. */
    static final class FakeAgent implements io.groupai.fleet.workflows.agent.NodeAgentActivities {
        volatile boolean dead;

        @Override
        public java.util.List<io.groupai.fleet.workflows.agent.StartedAccount> startAccounts(
                java.util.List<io.groupai.fleet.workflows.agent.StartAccountRequest> requests) {
            return io.groupai.fleet.workflows.allocation.OneByOne.start(this, requests);
        }

        @Override
        public io.groupai.fleet.workflows.agent.NodePing ping() {
            if (dead) {
                throw ApplicationFailure.newNonRetryableFailure("no poller on node-n1", "DeadAgent");
            }
            return new io.groupai.fleet.workflows.agent.NodePing("n1", "test", "simulated", 2, 1);
        }

        @Override
        public io.groupai.fleet.workflows.agent.AccountRuntimeState startAccount(
                io.groupai.fleet.workflows.agent.StartAccountRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public io.groupai.fleet.workflows.agent.AccountRuntimeState stopAccount(String accountId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<io.groupai.fleet.workflows.agent.AccountRuntimeState> listAccounts() {
            throw new UnsupportedOperationException();
        }

        @Override
        public io.groupai.fleet.workflows.agent.SessionInfo installSession(String accountId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void removeSession(String accountId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void discardMigratedSession(String accountId, String exportPath) {
            throw new UnsupportedOperationException();
        }

        @Override
        public io.groupai.fleet.workflows.agent.ExportedSession exportSession(String accountId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public io.groupai.fleet.workflows.agent.ScriptInstallResult installScript(
                io.groupai.fleet.workflows.agent.InstallScriptRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void removeScript(String scriptId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public io.groupai.fleet.workflows.agent.SentMessage sendMessage(
                io.groupai.fleet.workflows.agent.SendMessageRequest request) {
            throw new UnsupportedOperationException();
        }
    }

    /** SSH never answers (the server is gone). */
    static final class FakeSsh implements NodeOperationsActivities {
        final AtomicInteger probes = new AtomicInteger();

        @Override
        public NodeProbeReport probe(String nodeId) {
            probes.incrementAndGet();
            throw ApplicationFailure.newFailure("server " + nodeId + ": connect timed out", FailureTypes.SSH_TIMEOUT);
        }

        @Override
        public ProcessState startWorker(String nodeId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ProcessState stopWorker(String nodeId) {
            throw new UnsupportedOperationException();
        }
    }

    /** Stands in for the failover workflow: records what it was asked. */
    public static class RecordingFailover implements FailoverWorkflow {
        @Override
        public FailoverResult failover(FailoverRequest request) {
            FAILOVERS.add(request);
            return new FailoverResult(request.nodeId(), 0, List.of(), List.of(), "recorded");
        }

        @Override
        public List<StepProgress> progress() {
            return List.of();
        }
    }
}
