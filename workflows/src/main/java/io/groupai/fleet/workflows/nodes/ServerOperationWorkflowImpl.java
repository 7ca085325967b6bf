package io.groupai.fleet.workflows.nodes;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.StepLog;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;

public class ServerOperationWorkflowImpl implements ServerOperationWorkflow {

    private final NodeOperationsActivities nodes = Workflow.newActivityStub(
            NodeOperationsActivities.class,
            ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofMinutes(2))
                    .setRetryOptions(RetryOptions.newBuilder()
                            .setInitialInterval(Duration.ofSeconds(1))
                            .setMaximumAttempts(3)
                            .setDoNotRetry(FailureTypes.NON_RETRYABLE_NODE_FAILURE)
                            .build())
                    .build());

    private final StepLog steps = new StepLog();

    @Override
    public ServerOperationResult run(ServerOperationRequest request) {
        String nodeId = request.nodeId();
        ServerAction action = request.action();
        if (nodeId == null || action == null) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "request needs nodeId and action, e.g. {\"nodeId\":\"worker-01\",\"action\":\"STATUS\"}",
                    FailureTypes.INVALID_REQUEST);
        }
        try {
            ProcessState process = switch (action) {
                case STATUS -> null;
                case START ->
                    steps.step(
                            "start worker process",
                            () -> nodes.startWorker(nodeId),
                            ServerOperationWorkflowImpl::describe);
                case STOP ->
                    steps.step(
                            "stop worker process",
                            () -> nodes.stopWorker(nodeId),
                            ServerOperationWorkflowImpl::describe);
                case RESTART -> {
                    steps.step(
                            "stop worker process",
                            () -> nodes.stopWorker(nodeId),
                            ServerOperationWorkflowImpl::describe);
                    yield steps.step(
                            "start worker process",
                            () -> nodes.startWorker(nodeId),
                            ServerOperationWorkflowImpl::describe);
                }
            };
            NodeProbeReport probe = steps.step(
                    "probe",
                    () -> nodes.probe(nodeId),
                    p -> (p.processAlive() ? "worker running, pid " + p.pid() : "worker not running")
                            + String.format(
                                    ", cpu %.1f%%, memory %.1f%%, disk %.1f%%, latency %d ms",
                                    p.cpuUsage(), p.memoryUsage(), p.diskUsage(), p.latencyMillis()));
            ProcessState finalState = process != null && action != ServerAction.STOP
                    ? process
                    : new ProcessState(nodeId, probe.processAlive(), probe.pid());
            return new ServerOperationResult(
                    nodeId,
                    action,
                    true,
                    finalState,
                    probe,
                    steps.snapshot(),
                    action.wireName() + " of " + nodeId + " done");
        } catch (ActivityFailure failure) {
            return new ServerOperationResult(
                    nodeId,
                    action,
                    false,
                    null,
                    null,
                    steps.snapshot(),
                    action.wireName() + " of " + nodeId + " failed: " + StepLog.causeOf(failure));
        }
    }

    @Override
    public List<StepProgress> progress() {
        return steps.snapshot();
    }

    private static String describe(ProcessState state) {
        return state.running() ? "running, pid " + state.pid() : "not running";
    }
}
