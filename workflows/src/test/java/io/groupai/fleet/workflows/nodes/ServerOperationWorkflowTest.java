package io.groupai.fleet.workflows.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ServerOperationWorkflowTest {

    private TestWorkflowEnvironment env;
    private RecordingNode node;
    private WorkflowClient client;

    @BeforeEach
    void setUp() {
        env = TestWorkflowEnvironment.newInstance();
        node = new RecordingNode();
        Worker worker = env.newWorker(TaskQueues.CONTROL_PLANE);
        worker.registerWorkflowImplementationTypes(ServerOperationWorkflowImpl.class);
        worker.registerActivitiesImplementations(node);
        env.start();
        client = env.getWorkflowClient();
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    private ServerOperationResult run(ServerAction action) {
        ServerOperationWorkflow workflow = client.newWorkflowStub(
                ServerOperationWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.CONTROL_PLANE)
                        .setWorkflowId("server-op-worker-01")
                        .build());
        return workflow.run(new ServerOperationRequest("worker-01", action));
    }

    @Test
    void statusOnlyProbes() {
        ServerOperationResult result = run(ServerAction.STATUS);

        assertThat(node.calls).containsExactly("probe");
        assertThat(result.success()).isTrue();
        assertThat(result.process().running()).isFalse();
        assertThat(result.steps()).extracting(StepProgress::step).containsExactly("probe");
        assertThat(result.steps().get(0).detail()).contains("worker not running", "latency 7 ms");
    }

    @Test
    void restartStopsThenStartsThenProbes() {
        ServerOperationResult result = run(ServerAction.RESTART);

        assertThat(node.calls).containsExactly("stop", "start", "probe");
        assertThat(result.success()).isTrue();
        assertThat(result.process()).isEqualTo(new ProcessState("worker-01", true, 4242L));
        assertThat(result.steps()).allMatch(s -> s.state() == StepProgress.State.DONE);
    }

    @Test
    void transientFailuresAreRetriedThenSucceed() {
        node.failStartTimes.set(2);

        ServerOperationResult result = run(ServerAction.START);

        assertThat(result.success()).isTrue();
        assertThat(node.calls).containsExactly("start", "start", "start", "probe");
    }

    @Test
    void nonRetryableFailureStopsAtOnceAndNamesServerAndStep() {
        node.refuseStart = true;

        ServerOperationResult result = run(ServerAction.START);

        assertThat(result.success()).isFalse();
        assertThat(node.calls).containsExactly("start");
        assertThat(result.message()).contains("start of worker-01 failed", "authentication refused by worker-01");
        assertThat(result.steps()).singleElement().satisfies(step -> {
            assertThat(step.state()).isEqualTo(StepProgress.State.FAILED);
            assertThat(step.step()).isEqualTo("start worker process");
        });
    }

    /** A scripted node: records calls; the real SSH implementation is tested against real sshd. */
    static class RecordingNode implements NodeOperationsActivities {
        final List<String> calls = new ArrayList<>();
        final AtomicInteger failStartTimes = new AtomicInteger();
        volatile boolean refuseStart;
        volatile boolean running;

        @Override
        public synchronized NodeProbeReport probe(String nodeId) {
            calls.add("probe");
            return new NodeProbeReport(nodeId, running, running ? 4242L : null, 12.5, 40, 30, 7);
        }

        @Override
        public synchronized ProcessState startWorker(String nodeId) {
            calls.add("start");
            if (refuseStart) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "authentication refused by " + nodeId + " at step start",
                        FailureTypes.NON_RETRYABLE_NODE_FAILURE);
            }
            if (failStartTimes.getAndDecrement() > 0) {
                throw new IllegalStateException("connection reset by " + nodeId);
            }
            running = true;
            return new ProcessState(nodeId, true, 4242L);
        }

        @Override
        public synchronized ProcessState stopWorker(String nodeId) {
            calls.add("stop");
            running = false;
            return new ProcessState(nodeId, false, null);
        }
    }
}
