package io.groupai.fleet.workflows.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.WorkflowIds;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Deployment and multi-account scenes on Temporal's test server, time skipped. */
class ScriptWorkflowsTest {

    TestWorkflowEnvironment env;
    WorkflowClient client;
    final List<FakeNodeAgent.Sent> sent = new CopyOnWriteArrayList<>();
    final List<UpdateScriptCommand> queued = new CopyOnWriteArrayList<>();
    FakeNodeAgent nodeA;
    FakeNodeAgent nodeC;

    /** The registry: account → node. */
    final Map<String, String> placements = Map.of("acc-a1", "node-a", "acc-c1", "node-c", "acc-c2", "node-c");

    @BeforeEach
    void setUp() {
        env = TestWorkflowEnvironment.newInstance();
        Worker control = env.newWorker(TaskQueues.CONTROL_PLANE);
        control.registerWorkflowImplementationTypes(
                DeployScriptWorkflowImpl.class, MultiAccountSceneWorkflowImpl.class);
        control.registerActivitiesImplementations(new ScriptActivities() {
            @Override
            public long queueUpdateScript(UpdateScriptCommand command) {
                queued.add(command);
                return 100 + queued.size();
            }

            @Override
            public String nodeOf(String accountId) {
                String node = placements.get(accountId);
                if (node == null) {
                    throw ApplicationFailure.newNonRetryableFailure(
                            "account " + accountId + " is placed on no server", FailureTypes.INVALID_ARGUMENT);
                }
                return node;
            }
        });
        nodeA = new FakeNodeAgent("node-a", Set.of("acc-a1"), sent, env::currentTimeMillis);
        nodeC = new FakeNodeAgent("node-c", Set.of("acc-c2"), sent, env::currentTimeMillis); // acc-c1 stopped
        env.newWorker(TaskQueues.node("node-a")).registerActivitiesImplementations(nodeA);
        env.newWorker(TaskQueues.node("node-c")).registerActivitiesImplementations(nodeC);
        // node-b has no agent polling node-node-b: a heartbeat-only worker.
        env.start();
        client = env.getWorkflowClient();
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    DeployScriptWorkflow deployStub() {
        return client.newWorkflowStub(
                DeployScriptWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.CONTROL_PLANE)
                        .setWorkflowId(WorkflowIds.deploy("welcome", "1.0"))
                        .build());
    }

    @Test
    void deploysInParallelQueuesUpdateScriptForHeartbeatOnlyNodesAndReportsEachNode() {
        nodeC.refuseScripts = true;
        DeployScriptResult result = deployStub()
                .deploy(new DeployScriptRequest(
                        "welcome",
                        "1.0",
                        "ab".repeat(32),
                        "/api/v1/group-ai/scripts/welcome/download?version=1.0",
                        "http://cp:8080/api/v1/group-ai/scripts/welcome/download?version=1.0",
                        List.of("node-a", "node-b", "node-c", "node-a"),
                        3));

        assertThat(result.ok()).isFalse();
        assertThat(result.nodes()).extracting(NodeDeployState::nodeId).containsExactly("node-a", "node-b", "node-c");
        NodeDeployState a = result.nodes().get(0);
        assertThat(a.status()).isEqualTo(NodeDeployState.Status.INSTALLED);
        assertThat(a.reloadedAccounts()).containsExactly("acc-a1");
        assertThat(nodeA.installs).singleElement().satisfies(r -> {
            assertThat(r.downloadUrl()).isEqualTo("/api/v1/group-ai/scripts/welcome/download?version=1.0");
            assertThat(r.sha256()).isEqualTo("ab".repeat(32));
        });

        NodeDeployState b = result.nodes().get(1);
        assertThat(b.status()).isEqualTo(NodeDeployState.Status.QUEUED);
        assertThat(b.commandId()).isEqualTo(101L);
        assertThat(b.detail()).contains("node-node-b", "heartbeat");
        assertThat(queued)
                .containsExactly(new UpdateScriptCommand(
                        "node-b",
                        "welcome",
                        "1.0",
                        "http://cp:8080/api/v1/group-ai/scripts/welcome/download?version=1.0",
                        "ab".repeat(32)));

        NodeDeployState c = result.nodes().get(2);
        assertThat(c.status()).isEqualTo(NodeDeployState.Status.FAILED);
        assertThat(c.detail()).contains("node node-c", "install-script", "line 3, column 5");
        assertThat(nodeC.installs).hasSize(1); // an invalid script is not retried

        assertThat(result.summary()).contains("installed on 1 of 3", "queued as update_script for 1", "failed on 1");
    }

    @Test
    void aTwoRoleScenePlaysItsLinesInOrderWithTheirDelaysOnTheAccountsNodes() {
        MultiAccountSceneWorkflow scene = client.newWorkflowStub(
                MultiAccountSceneWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.CONTROL_PLANE)
                        .setWorkflowId(WorkflowIds.scene(-1001L, "message:7:1700000000:abc"))
                        .build());
        long start = env.currentTimeMillis();
        SceneResult result = scene.play(new SceneRequest(
                "show",
                "intro",
                -1001L,
                List.of(
                        new SceneLine("host", List.of("acc-a1"), "Welcome to the show", 0),
                        new SceneLine("guest", List.of("acc-c1", "acc-c2"), "Glad to be here", 90),
                        new SceneLine("host", List.of("acc-a1"), "Let's start", 30))));

        assertThat(result.failure()).isNull();
        assertThat(result.said())
                .extracting(SceneResult.SaidLine::accountId, SceneResult.SaidLine::nodeId)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("acc-a1", "node-a"),
                        org.assertj.core.groups.Tuple.tuple("acc-c2", "node-c"), // acc-c1 is not running
                        org.assertj.core.groups.Tuple.tuple("acc-a1", "node-a"));
        assertThat(sent)
                .extracting(FakeNodeAgent.Sent::text)
                .containsExactly("Welcome to the show", "Glad to be here", "Let's start");
        assertThat(sent.get(1).atMillis() - sent.get(0).atMillis()).isGreaterThanOrEqualTo(90_000);
        assertThat(sent.get(2).atMillis() - sent.get(1).atMillis()).isGreaterThanOrEqualTo(30_000);
        assertThat(env.currentTimeMillis() - start).isGreaterThanOrEqualTo(120_000);
    }

    @Test
    void aSceneStopsAtALineNoAccountCanSay() {
        MultiAccountSceneWorkflow scene = client.newWorkflowStub(
                MultiAccountSceneWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.CONTROL_PLANE)
                        .build());
        SceneResult result = scene.play(new SceneRequest(
                "show",
                "intro",
                -1001L,
                List.of(
                        new SceneLine("host", List.of("acc-a1"), "one", 0),
                        new SceneLine("guest", List.of("acc-unknown", "acc-c1"), "two", 5),
                        new SceneLine("host", List.of("acc-a1"), "three", 5))));
        assertThat(result.said()).hasSize(1);
        assertThat(result.failure()).contains("role guest", "line 2", "-1001");
        assertThat(sent).extracting(FakeNodeAgent.Sent::text).containsExactly("one");
    }
}
