package io.groupai.fleet.workflows.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.agent.NodeAgentForTests;
import io.groupai.fleet.workflows.agent.NodePing;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BootstrapNodeWorkflowTest {

    private TestWorkflowEnvironment env;
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean unsupported;
    private volatile boolean noSystemd;
    private final ServerOperationWorkflowTest.RecordingNode node = new ServerOperationWorkflowTest.RecordingNode();

    @BeforeEach
    void setUp() {
        env = TestWorkflowEnvironment.newInstance();
        Worker control = env.newWorker(TaskQueues.CONTROL_PLANE);
        control.registerWorkflowImplementationTypes(BootstrapNodeWorkflowImpl.class);
        control.registerActivitiesImplementations(new Installer(), node);
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    private BootstrapResult bootstrap() {
        return env.getWorkflowClient()
                .newWorkflowStub(
                        BootstrapNodeWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                                .setWorkflowId("bootstrap-n1")
                                .build())
                .run(new BootstrapRequest("n1"));
    }

    @Test
    void installsConfiguresStartsAndWaitsForTheAgentsFirstPoll() {
        env.newWorker(TaskQueues.node("n1")).registerActivitiesImplementations(new Agent());
        env.start();

        BootstrapResult result = bootstrap();

        assertThat(result.success()).as(result.message()).isTrue();
        assertThat(result.agent().nodeId()).isEqualTo("n1");
        assertThat(calls).containsExactly("check", "runtime", "distribution", "config", "service", "ping");
        assertThat(result.steps())
                .extracting(StepProgress::step)
                .containsExactly(
                        "check server",
                        "install java runtime",
                        "upload worker-node distribution",
                        "write node config",
                        "install service",
                        "stop a running agent",
                        "start worker process",
                        "wait for first poll of node-n1",
                        "probe");
        // The agent a previous bootstrap started is stopped before the new one starts, never after.
        assertThat(node.calls).containsExactly("stop", "start", "probe");
        assertThat(result.steps().get(4).detail())
                .isEqualTo("systemd: unit /etc/systemd/system/groupai-node-n1.service enabled");
        assertThat(result.steps())
                .allSatisfy(
                        step -> assertThat(step.durationMillis()).isNotNull().isNotNegative());
        assertThat(result.durationMillis())
                .isGreaterThanOrEqualTo(result.steps().stream()
                        .mapToLong(StepProgress::durationMillis)
                        .sum());
    }

    @Test
    void aFailedStepFailsTheWorkflowAndTheProgressStillNamesTheStepAndServer() {
        unsupported = true;
        env.start();
        BootstrapNodeWorkflow workflow = env.getWorkflowClient()
                .newWorkflowStub(
                        BootstrapNodeWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                                .setWorkflowId("bootstrap-n1")
                                .build());

        assertThatThrownBy(() -> workflow.run(new BootstrapRequest("n1")))
                .isInstanceOf(WorkflowFailedException.class)
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
                    assertThat(failure.getType()).isEqualTo(FailureTypes.BOOTSTRAP_FAILED);
                    assertThat(failure.getOriginalMessage())
                            .contains("bootstrap of n1 failed at step 'check server'", "server n1", "aarch64");
                });
        assertThat(env.getWorkflowClient()
                        .fetchHistory("bootstrap-n1")
                        .getLastEvent()
                        .getEventType())
                .isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
        List<StepProgress> progress = workflow.progress();
        assertThat(progress).hasSize(1);
        assertThat(progress.get(0).state()).isEqualTo(StepProgress.State.FAILED);
        assertThat(progress.get(0).detail()).contains("server n1", "aarch64");
        assertThat(calls).containsExactly("check");
    }

    @Test
    void systemdAskedForWhereThereIsNoneFailsAtTheServiceStepBeforeAnythingStarts() {
        noSystemd = true;
        env.start();
        BootstrapNodeWorkflow workflow = env.getWorkflowClient()
                .newWorkflowStub(
                        BootstrapNodeWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                                .setWorkflowId("bootstrap-n1")
                                .build());

        assertThatThrownBy(() -> workflow.run(new BootstrapRequest("n1")))
                .isInstanceOf(WorkflowFailedException.class)
                .cause()
                .isInstanceOfSatisfying(
                        ApplicationFailure.class,
                        failure -> assertThat(failure.getOriginalMessage())
                                .contains(
                                        "bootstrap of n1 failed at step 'install service'",
                                        "server n1",
                                        "systemd is not running"));
        assertThat(calls).containsExactly("check", "runtime", "distribution", "config", "service");
        List<StepProgress> steps = workflow.progress();
        assertThat(steps.get(steps.size() - 1).step()).isEqualTo("install service");
    }

    @Test
    void anAgentThatNeverPollsFailsTheBootstrapAtThatStepInsteadOfHanging() {
        env.start(); // nobody polls node-n1
        BootstrapNodeWorkflow workflow = env.getWorkflowClient()
                .newWorkflowStub(
                        BootstrapNodeWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                                .setWorkflowId("bootstrap-n1")
                                .build());
        // The test server does not skip time past an unpolled task's deadline, so keep it short.
        assertThatThrownBy(() -> workflow.run(new BootstrapRequest("n1", 2)))
                .isInstanceOf(WorkflowFailedException.class)
                .cause()
                .isInstanceOfSatisfying(
                        ApplicationFailure.class,
                        failure -> assertThat(failure.getOriginalMessage())
                                .contains(
                                        "bootstrap of n1 failed at step 'wait for first poll of node-n1'",
                                        "timed out (schedule_to_start)"));

        List<StepProgress> steps = workflow.progress();
        StepProgress last = steps.get(steps.size() - 1);
        assertThat(last.step()).isEqualTo("wait for first poll of node-n1");
        assertThat(last.state()).isEqualTo(StepProgress.State.FAILED);
    }

    class Installer implements NodeInstallActivities {
        @Override
        public ServerPlatform checkServer(String nodeId) {
            calls.add("check");
            if (unsupported) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "server " + nodeId + ", step check server: Linux aarch64 is not "
                                + "supported; the worker-node distribution runs on Linux x86_64 with glibc 2.17 or newer",
                        "Unsupported");
            }
            return new ServerPlatform("Linux", "x86_64", "2.36");
        }

        @Override
        public InstalledRuntime installRuntime(String nodeId) {
            calls.add("runtime");
            return new InstalledRuntime("/srv/n1/runtime", "e6e7", "25.0.3", 28_000_000, true);
        }

        @Override
        public List<InstalledFile> installDistribution(String nodeId) {
            calls.add("distribution");
            return List.of(
                    new InstalledFile("/srv/n1/lib/worker-node.jar", 10, "ab"),
                    new InstalledFile("/srv/n1/bin/worker-node", 1, "cd"));
        }

        @Override
        public InstalledFile writeNodeConfig(String nodeId) {
            calls.add("config");
            return new InstalledFile("/srv/n1/conf/worker-node.properties", 1, "ef");
        }

        @Override
        public InstalledService installService(String nodeId) {
            calls.add("service");
            if (noSystemd) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "server " + nodeId + ", step install service: service_mode systemd, but systemd is not "
                                + "running here (no /run/systemd/system)",
                        FailureTypes.NON_RETRYABLE_NODE_FAILURE);
            }
            return new InstalledService(
                    "systemd",
                    "/etc/systemd/system/groupai-node-n1.service",
                    "systemd: unit /etc/systemd/system/groupai-node-n1.service enabled");
        }
    }

    /** Only ping is used by bootstrap; the rest belong to other workflows' tests. */
    class Agent extends NodeAgentForTests {
        @Override
        public NodePing ping() {
            calls.add("ping");
            return new NodePing("n1", "test", "simulated", 0, 42);
        }
    }
}
