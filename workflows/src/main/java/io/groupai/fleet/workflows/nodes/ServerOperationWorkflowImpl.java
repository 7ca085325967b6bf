package io.groupai.fleet.workflows.nodes;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

public class ServerOperationWorkflowImpl implements ServerOperationWorkflow {

    /** Activity failure types that retrying cannot fix (bad credentials, changed host key, bad input). */
    public static final String NON_RETRYABLE = "NonRetryableNodeFailure";

    private final NodeOperationsActivities nodes = Workflow.newActivityStub(
            NodeOperationsActivities.class,
            ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofMinutes(2))
                    .setRetryOptions(RetryOptions.newBuilder()
                            .setInitialInterval(Duration.ofSeconds(1))
                            .setMaximumAttempts(3)
                            .setDoNotRetry(NON_RETRYABLE)
                            .build())
                    .build());

    private final List<StepProgress> steps = new ArrayList<>();

    @Override
    public ServerOperationResult run(ServerOperationRequest request) {
        String nodeId = request.nodeId();
        ServerAction action = request.action();
        if (nodeId == null || action == null) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "request needs nodeId and action, e.g. {\"nodeId\":\"worker-01\",\"action\":\"STATUS\"}",
                    "InvalidRequest");
        }
        try {
            ProcessState process = switch (action) {
                case STATUS -> null;
                case START -> step("start worker process", () -> nodes.startWorker(nodeId), ServerOperationWorkflowImpl::describe);
                case STOP -> step("stop worker process", () -> nodes.stopWorker(nodeId), ServerOperationWorkflowImpl::describe);
                case RESTART -> {
                    step("stop worker process", () -> nodes.stopWorker(nodeId), ServerOperationWorkflowImpl::describe);
                    yield step("start worker process", () -> nodes.startWorker(nodeId), ServerOperationWorkflowImpl::describe);
                }
            };
            NodeProbeReport probe = step("probe", () -> nodes.probe(nodeId),
                    p -> (p.processAlive() ? "worker running, pid " + p.pid() : "worker not running")
                            + String.format(", cpu %.1f%%, memory %.1f%%, disk %.1f%%, latency %d ms",
                                    p.cpuUsage(), p.memoryUsage(), p.diskUsage(), p.latencyMillis()));
            ProcessState finalState = process != null && action != ServerAction.STOP
                    ? process : new ProcessState(nodeId, probe.processAlive(), probe.pid());
            return new ServerOperationResult(nodeId, action, true, finalState, probe, List.copyOf(steps),
                    action.wireName() + " of " + nodeId + " done");
        } catch (ActivityFailure failure) {
            return new ServerOperationResult(nodeId, action, false, null, null, List.copyOf(steps),
                    action.wireName() + " of " + nodeId + " failed: " + causeOf(failure));
        }
    }

    @Override
    public List<StepProgress> progress() {
        return List.copyOf(steps);
    }

    private <T> T step(String name, Supplier<T> call, Function<T, String> describe) {
        int index = steps.size();
        steps.add(StepProgress.running(name));
        try {
            T result = call.get();
            steps.set(index, steps.get(index).done(describe.apply(result)));
            return result;
        } catch (ActivityFailure failure) {
            steps.set(index, steps.get(index).failed(causeOf(failure)));
            throw failure;
        }
    }

    /** The activity's own message (it names the server and the step), without Temporal's wrapping. */
    private static String causeOf(ActivityFailure failure) {
        Throwable cause = failure.getCause();
        if (cause instanceof ApplicationFailure app) {
            return app.getOriginalMessage();
        }
        return cause == null ? failure.getMessage() : cause.getMessage();
    }

    private static String describe(ProcessState state) {
        return state.running() ? "running, pid " + state.pid() : "not running";
    }
}
