package io.groupai.fleet.workflows.scripts;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.StepLog;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.agent.InstallScriptRequest;
import io.groupai.fleet.workflows.agent.NodeAgentActivities;
import io.groupai.fleet.workflows.agent.ScriptInstallResult;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

public class DeployScriptWorkflowImpl implements DeployScriptWorkflow {

    private final ScriptActivities control = Workflow.newActivityStub(
            ScriptActivities.class,
            ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofSeconds(30))
                    .setRetryOptions(RetryOptions.newBuilder()
                            .setMaximumAttempts(5)
                            .setDoNotRetry(FailureTypes.INVALID_REQUEST, FailureTypes.INVALID_ARGUMENT)
                            .build())
                    .build());

    private final Map<String, NodeDeployState> nodes = new LinkedHashMap<>();

    @Override
    public DeployScriptResult deploy(DeployScriptRequest request) {
        if (request == null
                || request.scriptId() == null
                || request.version() == null
                || request.downloadPath() == null
                || request.nodeIds() == null
                || request.nodeIds().isEmpty()) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "request needs scriptId, version, sha256, downloadPath and nodeIds; start it through"
                            + " POST /api/v1/group-ai/scripts/deploy, which fills them in",
                    FailureTypes.INVALID_REQUEST);
        }
        List<String> ids = List.copyOf(new LinkedHashSet<>(request.nodeIds()));
        ids.forEach(id ->
                nodes.put(id, new NodeDeployState(id, NodeDeployState.Status.RUNNING, "installing", List.of(), null)));
        List<Promise<Void>> all = new ArrayList<>();
        for (String nodeId : ids) {
            all.add(Async.procedure(() -> deployTo(request, nodeId)));
        }
        Promise.allOf(all).get();
        List<NodeDeployState> result = List.copyOf(nodes.values());
        long failed = result.stream()
                .filter(n -> n.status() == NodeDeployState.Status.FAILED)
                .count();
        long queued = result.stream()
                .filter(n -> n.status() == NodeDeployState.Status.QUEUED)
                .count();
        String summary = "script " + request.scriptId() + " " + request.version() + ": installed on "
                + (result.size() - failed - queued) + " of " + result.size() + " nodes"
                + (queued > 0 ? ", queued as update_script for " + queued : "")
                + (failed > 0 ? ", failed on " + failed : "");
        return new DeployScriptResult(request.scriptId(), request.version(), failed == 0, result, summary);
    }

    private void deployTo(DeployScriptRequest request, String nodeId) {
        int scheduleToStart = request.scheduleToStartSeconds() == null ? 30 : request.scheduleToStartSeconds();
        NodeAgentActivities node = Workflow.newActivityStub(
                NodeAgentActivities.class,
                ActivityOptions.newBuilder()
                        .setTaskQueue(TaskQueues.node(nodeId))
                        .setScheduleToStartTimeout(Duration.ofSeconds(scheduleToStart))
                        .setStartToCloseTimeout(Duration.ofMinutes(2))
                        .setRetryOptions(RetryOptions.newBuilder()
                                .setInitialInterval(Duration.ofSeconds(1))
                                .setMaximumAttempts(3)
                                .setDoNotRetry(
                                        FailureTypes.INVALID_SCRIPT,
                                        FailureTypes.SCRIPT_CHECKSUM_MISMATCH,
                                        FailureTypes.INVALID_ARGUMENT)
                                .build())
                        .build());
        try {
            ScriptInstallResult r = node.installScript(new InstallScriptRequest(
                    request.scriptId(), request.version(), request.downloadPath(), request.sha256()));
            nodes.put(
                    nodeId,
                    new NodeDeployState(
                            nodeId,
                            NodeDeployState.Status.INSTALLED,
                            "version " + r.version() + " active; "
                                    + (r.reloadedAccounts().isEmpty()
                                            ? "no running account uses it yet"
                                            : "reloaded by " + String.join(", ", r.reloadedAccounts())),
                            r.reloadedAccounts(),
                            null));
        } catch (ActivityFailure failure) {
            if (failure.getCause() instanceof TimeoutFailure t
                    && t.getTimeoutType() == TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START) {
                queue(request, nodeId);
            } else {
                nodes.put(
                        nodeId,
                        new NodeDeployState(
                                nodeId,
                                NodeDeployState.Status.FAILED,
                                "node " + nodeId + ", step install-script: " + StepLog.causeOf(failure),
                                List.of(),
                                null));
            }
        }
    }

    private void queue(DeployScriptRequest request, String nodeId) {
        try {
            long id = control.queueUpdateScript(new UpdateScriptCommand(
                    nodeId, request.scriptId(), request.version(), request.downloadUrl(), request.sha256()));
            nodes.put(
                    nodeId,
                    new NodeDeployState(
                            nodeId,
                            NodeDeployState.Status.QUEUED,
                            "no agent picked the install up from " + TaskQueues.node(nodeId)
                                    + " (a heartbeat-only worker, or the agent is down): update_script command " + id
                                    + " waits for the node's next heartbeat",
                            List.of(),
                            id));
        } catch (ActivityFailure failure) {
            nodes.put(
                    nodeId,
                    new NodeDeployState(
                            nodeId,
                            NodeDeployState.Status.FAILED,
                            "node " + nodeId + ", step queue-update-script: " + StepLog.causeOf(failure),
                            List.of(),
                            null));
        }
    }

    @Override
    public List<NodeDeployState> progress() {
        return List.copyOf(nodes.values());
    }
}
