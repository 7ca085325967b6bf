package io.groupai.fleet.workflows.scripts;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.StepLog;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.agent.NodeAgentActivities;
import io.groupai.fleet.workflows.agent.SendMessageRequest;
import io.groupai.fleet.workflows.agent.SentMessage;
import io.groupai.fleet.workflows.nodes.StepProgress;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

public class MultiAccountSceneWorkflowImpl implements MultiAccountSceneWorkflow {

    private final ScriptActivities control = Workflow.newActivityStub(
            ScriptActivities.class,
            ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofSeconds(30))
                    .setRetryOptions(RetryOptions.newBuilder()
                            .setMaximumAttempts(3)
                            .setDoNotRetry(FailureTypes.INVALID_ARGUMENT)
                            .build())
                    .build());

    private final List<StepProgress> steps = new ArrayList<>();

    @Override
    public SceneResult play(SceneRequest request) {
        if (request == null || request.lines() == null || request.lines().isEmpty()) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "request needs scriptId, sceneId, chatId and lines", FailureTypes.INVALID_REQUEST);
        }
        List<SceneResult.SaidLine> said = new ArrayList<>();
        int n = 0;
        for (SceneLine line : request.lines()) {
            n++;
            String step = "line " + n + " (" + line.role() + ")";
            if (line.delaySeconds() > 0) {
                // A durable timer: the scene goes on after a restart of the app or a node.
                Workflow.sleep(Duration.ofMillis(Math.round(line.delaySeconds() * 1000)));
            }
            steps.add(StepProgress.running(step));
            SceneResult.SaidLine done = say(request, line);
            if (done == null) {
                String why = "no account of role " + line.role() + " " + line.accounts() + " could say line " + n
                        + " in chat " + request.chatId();
                steps.set(steps.size() - 1, steps.getLast().failed(why));
                return new SceneResult(request.scriptId(), request.sceneId(), request.chatId(), said, why);
            }
            said.add(done);
            steps.set(steps.size() - 1, steps.getLast().done("said by " + done.accountId() + " on " + done.nodeId()));
        }
        return new SceneResult(request.scriptId(), request.sceneId(), request.chatId(), said, null);
    }

    /** The first account of the role that is placed and running says the line. */
    private SceneResult.SaidLine say(SceneRequest request, SceneLine line) {
        for (String accountId : line.accounts()) {
            String nodeId;
            try {
                nodeId = control.nodeOf(accountId);
            } catch (ActivityFailure f) {
                continue;
            }
            NodeAgentActivities node = Workflow.newActivityStub(
                    NodeAgentActivities.class,
                    ActivityOptions.newBuilder()
                            .setTaskQueue(TaskQueues.node(nodeId))
                            .setScheduleToStartTimeout(Duration.ofSeconds(30))
                            .setStartToCloseTimeout(Duration.ofSeconds(30))
                            .setRetryOptions(RetryOptions.newBuilder()
                                    .setMaximumAttempts(3)
                                    .setDoNotRetry(
                                            FailureTypes.ACCOUNT_NOT_RUNNING,
                                            FailureTypes.INVALID_ARGUMENT,
                                            FailureTypes.TELEGRAM_AUTH,
                                            FailureTypes.TELEGRAM_REJECTED)
                                    .build())
                            .build());
            try {
                SentMessage sent = node.sendMessage(new SendMessageRequest(accountId, request.chatId(), line.text()));
                return new SceneResult.SaidLine(line.role(), accountId, nodeId, sent.messageId());
            } catch (ActivityFailure f) {
                Workflow.getLogger(MultiAccountSceneWorkflowImpl.class)
                        .warn(
                                "scene {} line by {} on {} failed: {}",
                                request.sceneId(),
                                accountId,
                                nodeId,
                                StepLog.causeOf(f));
            }
        }
        return null;
    }

    @Override
    public List<StepProgress> progress() {
        return List.copyOf(steps);
    }
}
