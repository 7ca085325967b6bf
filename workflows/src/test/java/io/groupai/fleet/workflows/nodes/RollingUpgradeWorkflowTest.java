package io.groupai.fleet.workflows.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.agent.AccountRuntimeState;
import io.groupai.fleet.workflows.agent.NodeAgentForTests;
import io.groupai.fleet.workflows.agent.NodePing;
import io.groupai.fleet.workflows.supervision.HealthEvent;
import io.groupai.fleet.workflows.supervision.NodeCheck;
import io.groupai.fleet.workflows.supervision.SupervisionActivities;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rolling upgrade with fake servers: each "server" has an installed agent version, a kept previous
 * one and accounts that come back online after a restart, unless the new agent is broken there.
 */
class RollingUpgradeWorkflowTest {

    private static final List<String> NODES = List.of("n1", "n2", "n3", "n4", "n5");

    private TestWorkflowEnvironment env;
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    /** The agent version each server runs. */
    private final Map<String, String> running = new ConcurrentHashMap<>();

    private final Map<String, String> installed = new ConcurrentHashMap<>();
    private final Map<String, String> kept = new ConcurrentHashMap<>();
    /** Servers where the new agent starts but its accounts never come online. */
    private final Set<String> brokenWithNewAgent = ConcurrentHashMap.newKeySet();
    /** Servers whose accounts stay down after the rollback too. */
    private final Set<String> brokenEvenAfterRollback = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void setUp() {
        env = TestWorkflowEnvironment.newInstance();
        Worker control = env.newWorker(TaskQueues.CONTROL_PLANE);
        control.registerWorkflowImplementationTypes(RollingUpgradeWorkflowImpl.class);
        control.registerActivitiesImplementations(new Installer(), new Upgrader(), new Operations(), new Supervision());
        for (String node : NODES) {
            installed.put(node, "1.0");
            running.put(node, "1.0");
            env.newWorker(TaskQueues.node(node)).registerActivitiesImplementations(new Agent(node));
        }
        env.start();
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    private RollingUpgradeWorkflow workflow() {
        return env.getWorkflowClient()
                .newWorkflowStub(
                        RollingUpgradeWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                                .setWorkflowId(WorkflowIds.rollingUpgrade())
                                .build());
    }

    @Test
    void theCanaryGoesFirstAloneThenTheRestInBatchesAndEveryServerRunsTheNewAgent() {
        RollingUpgradeWorkflow workflow = workflow();
        RollingUpgradeResult result = workflow.run(new RollingUpgradeRequest(NODES, 2, 60));

        assertThat(result.success()).isTrue();
        assertThat(running)
                .allSatisfy((node, version) -> assertThat(version).as(node).isEqualTo("2.0"));
        assertThat(result.servers())
                .extracting(
                        ServerUpgrade::nodeId,
                        ServerUpgrade::state,
                        ServerUpgrade::previousVersion,
                        ServerUpgrade::newVersion)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("n1", "UPGRADED", "1.0", "2.0"),
                        org.assertj.core.groups.Tuple.tuple("n2", "UPGRADED", "1.0", "2.0"),
                        org.assertj.core.groups.Tuple.tuple("n3", "UPGRADED", "1.0", "2.0"),
                        org.assertj.core.groups.Tuple.tuple("n4", "UPGRADED", "1.0", "2.0"),
                        org.assertj.core.groups.Tuple.tuple("n5", "UPGRADED", "1.0", "2.0"));
        assertThat(result.servers().get(0).detail()).contains("2 accounts back online");
        // A new build's Java runtime goes on with it: after the old one is kept aside, before the new agent.
        for (String node : NODES) {
            assertThat(calls.indexOf("runtime:" + node))
                    .as(node)
                    .isGreaterThan(calls.indexOf("keep:" + node))
                    .isLessThan(calls.indexOf("install:" + node));
        }
        // The canary was done (its accounts checked) before any other server was touched.
        int canaryChecked = calls.lastIndexOf("list:n1");
        assertThat(calls.indexOf("keep:n2")).isGreaterThan(canaryChecked);
        assertThat(calls.indexOf("keep:n3")).isGreaterThan(canaryChecked);
        // A batch of two: n4 waits for n2 and n3 to be done.
        assertThat(calls.indexOf("keep:n4"))
                .isGreaterThan(calls.lastIndexOf("list:n2"))
                .isGreaterThan(calls.lastIndexOf("list:n3"));
        assertThat(calls).doesNotContain("restore:n1", "restore:n2", "restore:n3", "restore:n4", "restore:n5");
    }

    @Test
    void aServerWhoseAccountsDoNotComeBackIsRolledBackAndTheRolloutStopsFailed() {
        brokenWithNewAgent.add("n3");
        RollingUpgradeWorkflow workflow = workflow();

        assertThatThrownBy(() -> workflow.run(new RollingUpgradeRequest(NODES, 2, 30)))
                .isInstanceOf(WorkflowFailedException.class)
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
                    assertThat(failure.getType()).isEqualTo(FailureTypes.UPGRADE_FAILED);
                    assertThat(failure.getOriginalMessage())
                            .contains(
                                    "server n3 was rolled back after step 'wait for its accounts'",
                                    "not online after 30 s",
                                    "n3-a",
                                    "2 of 5 upgraded");
                });
        assertThat(env.getWorkflowClient()
                        .fetchHistory(WorkflowIds.rollingUpgrade())
                        .getLastEvent()
                        .getEventType())
                .isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);

        assertThat(running)
                .containsEntry("n1", "2.0")
                .containsEntry("n2", "2.0")
                .containsEntry("n3", "1.0");
        assertThat(running).containsEntry("n4", "1.0").containsEntry("n5", "1.0");
        assertThat(calls).contains("restore:n3").doesNotContain("keep:n4", "keep:n5");
        List<ServerUpgrade> progress = workflow.progress();
        assertThat(progress)
                .extracting(ServerUpgrade::state)
                .containsExactly("UPGRADED", "UPGRADED", "ROLLED_BACK", "SKIPPED", "SKIPPED");
        assertThat(progress.get(2).detail()).contains("agent 1.0 runs again, 2 accounts back online");
        assertThat(progress.get(2).previousVersion()).isEqualTo("1.0");
        assertThat(progress.get(3).detail()).contains("stopped at n3");
    }

    @Test
    void aBrokenCanaryStopsEverythingAfterIt() {
        brokenWithNewAgent.add("n1");
        RollingUpgradeWorkflow workflow = workflow();
        assertThatThrownBy(() -> workflow.run(new RollingUpgradeRequest(NODES, 3, 20)))
                .isInstanceOf(WorkflowFailedException.class)
                .cause()
                .hasMessageContaining("canary server n1");
        assertThat(running)
                .allSatisfy((node, version) -> assertThat(version).as(node).isEqualTo("1.0"));
        assertThat(calls).filteredOn(c -> c.startsWith("keep:")).containsExactly("keep:n1");
    }

    @Test
    void aRollbackWhoseAccountsDoNotComeBackEitherIsFailedNotRolledBack() {
        brokenWithNewAgent.add("n1");
        brokenEvenAfterRollback.add("n1");
        RollingUpgradeWorkflow workflow = workflow();
        assertThatThrownBy(() -> workflow.run(new RollingUpgradeRequest(NODES, 2, 20)))
                .isInstanceOf(WorkflowFailedException.class)
                .cause()
                .hasMessageContaining("canary server n1 failed after step 'wait for its accounts'")
                .hasMessageContaining("the rollback failed too")
                .hasMessageContaining("n1-a");
        assertThat(running).containsEntry("n1", "1.0");
        assertThat(workflow.progress().get(0).state()).isEqualTo("FAILED");
    }

    final class Installer implements NodeInstallActivities {
        @Override
        public ServerPlatform checkServer(String nodeId) {
            throw new UnsupportedOperationException("not used by upgrades");
        }

        @Override
        public InstalledRuntime installRuntime(String nodeId) {
            calls.add("runtime:" + nodeId);
            return new InstalledRuntime("/srv/" + nodeId + "/runtime", "id-2", "25", 1, true);
        }

        @Override
        public List<InstalledFile> installDistribution(String nodeId) {
            calls.add("install:" + nodeId);
            installed.put(nodeId, "2.0");
            return List.of();
        }

        @Override
        public InstalledFile writeNodeConfig(String nodeId) {
            calls.add("config:" + nodeId);
            return new InstalledFile("/srv/" + nodeId + "/conf/worker-node.properties", 10, "x");
        }

        @Override
        public InstalledService installService(String nodeId) {
            throw new UnsupportedOperationException("not used by upgrades: the installed unit runs the new agent");
        }
    }

    final class Upgrader implements NodeUpgradeActivities {
        @Override
        public String keepPreviousDistribution(String nodeId) {
            calls.add("keep:" + nodeId);
            kept.put(nodeId, installed.get(nodeId));
            return "kept";
        }

        @Override
        public String restorePreviousDistribution(String nodeId) {
            calls.add("restore:" + nodeId);
            installed.put(nodeId, kept.remove(nodeId));
            return "restored";
        }
    }

    final class Operations implements NodeOperationsActivities {
        @Override
        public NodeProbeReport probe(String nodeId) {
            throw new UnsupportedOperationException("not used by upgrades");
        }

        @Override
        public ProcessState startWorker(String nodeId) {
            calls.add("start:" + nodeId);
            running.put(nodeId, installed.get(nodeId));
            return new ProcessState(nodeId, true, 1L);
        }

        @Override
        public ProcessState stopWorker(String nodeId) {
            calls.add("stop:" + nodeId);
            running.put(nodeId, "stopped");
            return new ProcessState(nodeId, false, null);
        }
    }

    static final class Supervision implements SupervisionActivities {
        @Override
        public NodeCheck check(String nodeId) {
            throw new UnsupportedOperationException("not used by upgrades");
        }

        @Override
        public void record(String nodeId, HealthEvent event) {
            throw new UnsupportedOperationException("not used by upgrades");
        }

        @Override
        public List<String> accountsOn(String nodeId) {
            return List.of(nodeId + "-a", nodeId + "-b");
        }

        @Override
        public long millisUntilFenced(String nodeId, long marginMillis) {
            throw new UnsupportedOperationException("not used by upgrades");
        }
    }

    final class Agent extends NodeAgentForTests {
        private final String node;

        Agent(String node) {
            this.node = node;
        }

        @Override
        public NodePing ping() {
            calls.add("ping:" + node);
            return new NodePing(node, running.get(node), "simulated", 2, 7);
        }

        @Override
        public List<AccountRuntimeState> listAccounts() {
            calls.add("list:" + node);
            boolean broken = brokenWithNewAgent.contains(node) && "2.0".equals(running.get(node))
                    || brokenEvenAfterRollback.contains(node) && calls.contains("restore:" + node);
            String status = broken ? "error" : "online";
            return List.of(
                    new AccountRuntimeState(node + "-a", status, null, null),
                    new AccountRuntimeState(node + "-b", status, null, null));
        }
    }
}
