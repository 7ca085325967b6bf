package io.groupai.fleet.workflows.nodes;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.StepLog;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.agent.NodeAgentActivities;
import io.groupai.fleet.workflows.agent.NodePing;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

public class BootstrapNodeWorkflowImpl implements BootstrapNodeWorkflow {

    /** How long a freshly started agent may take to poll its queue for the first time, unless the request says. */
    static final Duration FIRST_POLL_TIMEOUT = Duration.ofMinutes(2);

    static final String SERVICE_STEP_CHANGE = "install-service-step";

    static final String STOP_RUNNING_AGENT = "stop-running-agent";

    private static final RetryOptions SSH_RETRIES = RetryOptions.newBuilder()
            .setInitialInterval(Duration.ofSeconds(1))
            .setMaximumAttempts(3)
            .setDoNotRetry(FailureTypes.NON_RETRYABLE_NODE_FAILURE)
            .build();

    private final NodeInstallActivities install = Workflow.newActivityStub(
            NodeInstallActivities.class,
            ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofMinutes(10))
                    .setRetryOptions(SSH_RETRIES)
                    .build());

    private final NodeOperationsActivities nodes = Workflow.newActivityStub(
            NodeOperationsActivities.class,
            ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofMinutes(2))
                    .setRetryOptions(SSH_RETRIES)
                    .build());

    private final StepLog steps = new StepLog();

    @Override
    public BootstrapResult run(BootstrapRequest request) {
        String nodeId = request.nodeId();
        if (nodeId == null) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "request needs nodeId, e.g. {\"nodeId\":\"worker-01\"}", FailureTypes.INVALID_REQUEST);
        }
        // Only the node's own agent polls this queue: the ping's schedule-to-start timeout is the
        // "did it come up" deadline, and a node that never starts fails here instead of hanging.
        NodeAgentActivities agent = Workflow.newActivityStub(
                NodeAgentActivities.class,
                ActivityOptions.newBuilder()
                        .setTaskQueue(TaskQueues.node(nodeId))
                        .setScheduleToStartTimeout(
                                request.firstPollTimeoutSeconds() == null
                                        ? FIRST_POLL_TIMEOUT
                                        : Duration.ofSeconds(Math.max(1, request.firstPollTimeoutSeconds())))
                        .setStartToCloseTimeout(Duration.ofSeconds(30))
                        .setRetryOptions(
                                RetryOptions.newBuilder().setMaximumAttempts(1).build())
                        .build());
        long started = Workflow.currentTimeMillis();
        try {
            steps.step(
                    "check server",
                    () -> install.checkServer(nodeId),
                    p -> p.os() + " " + p.arch() + ", glibc " + p.glibc());
            steps.step(
                    "install java runtime",
                    () -> install.installRuntime(nodeId),
                    r -> "Java " + r.javaVersion() + " at " + r.remotePath()
                            + (r.uploaded()
                                    ? " (" + r.sizeBytes() + " bytes uploaded)"
                                    : " (already installed, upload skipped)"));
            steps.step(
                    "upload worker-node distribution",
                    () -> install.installDistribution(nodeId),
                    files -> files.stream()
                            .map(f -> f.remotePath() + " (" + f.sizeBytes() + " bytes)")
                            .collect(Collectors.joining(", ")));
            steps.step("write node config", () -> install.writeNodeConfig(nodeId), InstalledFile::remotePath);
            // Runs started before the service step existed replay without it (and keep pid-file mode).
            if (Workflow.getVersion(SERVICE_STEP_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1) {
                steps.step("install service", () -> install.installService(nodeId), InstalledService::detail);
            }
            // A second bootstrap finds the agent it installed before still running the files it started with: stopped
            // first, so what was just installed is what runs (a no-op on a new server). Older runs replay without it.
            if (Workflow.getVersion(STOP_RUNNING_AGENT, Workflow.DEFAULT_VERSION, 1) >= 1) {
                steps.step(
                        "stop a running agent",
                        () -> nodes.stopWorker(nodeId),
                        state -> "no agent runs now; the one started next runs the files just installed");
            }
            steps.step(
                    "start worker process",
                    () -> nodes.startWorker(nodeId),
                    state -> state.running() ? "running, pid " + state.pid() : "not running");
            NodePing ping = steps.step(
                    "wait for first poll of " + TaskQueues.node(nodeId),
                    agent::ping,
                    p -> "agent " + p.agentVersion() + " answered (pid " + p.pid() + ", runtime " + p.telegramRuntime()
                            + ")");
            // Records health and metrics on the server row, so the node shows up healthy at once.
            steps.step(
                    "probe",
                    () -> nodes.probe(nodeId),
                    p -> String.format(
                            "cpu %.1f%%, memory %.1f%%, disk %.1f%%, latency %d ms",
                            p.cpuUsage(), p.memoryUsage(), p.diskUsage(), p.latencyMillis()));
            long took = Workflow.currentTimeMillis() - started;
            return new BootstrapResult(
                    nodeId,
                    true,
                    steps.snapshot(),
                    ping,
                    nodeId + " is up and polling " + TaskQueues.node(nodeId) + " (bootstrap took " + took + " ms)",
                    took);
        } catch (ActivityFailure failure) {
            // FAILED, not COMPLETED with success=false: the Temporal UI, CLI and REST status then say so.
            // Non-retryable: every step already retried what was worth retrying.
            throw ApplicationFailure.newNonRetryableFailure(
                    "bootstrap of " + nodeId + " failed at step '" + steps.failedStep() + "': "
                            + StepLog.causeOf(failure),
                    FailureTypes.BOOTSTRAP_FAILED);
        }
    }

    @Override
    public List<StepProgress> progress() {
        return steps.snapshot();
    }
}
