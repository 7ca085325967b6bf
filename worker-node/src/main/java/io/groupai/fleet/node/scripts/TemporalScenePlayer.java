package io.groupai.fleet.node.scripts;

import io.groupai.fleet.scripts.Decision;
import io.groupai.fleet.scripts.Script;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.scripts.MultiAccountSceneWorkflow;
import io.groupai.fleet.workflows.scripts.SceneLine;
import io.groupai.fleet.workflows.scripts.SceneRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts {@link MultiAccountSceneWorkflow} on the control plane's queue. Its id names the chat and
 * the event, so when several accounts of the fleet see the same trigger the scene still plays once.
 */
public final class TemporalScenePlayer implements ScenePlayer {

    private static final Logger log = LoggerFactory.getLogger(TemporalScenePlayer.class);

    private final WorkflowClient client;

    public TemporalScenePlayer(WorkflowClient client) {
        this.client = client;
    }

    @Override
    public void play(Script script, long chatId, String eventKey, Decision decision) {
        List<SceneLine> lines = decision.lines().stream()
                .map(l -> new SceneLine(
                        l.role(), script.roles().getOrDefault(l.role(), List.of()), l.text(), l.delaySeconds()))
                .toList();
        String id = WorkflowIds.scene(chatId, eventKey);
        MultiAccountSceneWorkflow stub = client.newWorkflowStub(
                MultiAccountSceneWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(id)
                        .setTaskQueue(TaskQueues.CONTROL_PLANE)
                        .build());
        try {
            WorkflowClient.start(stub::play, new SceneRequest(script.scriptId(), decision.sceneId(), chatId, lines));
            log.info(
                    "script {}: multi-account scene {} started in chat {} ({})",
                    script.scriptId(),
                    decision.sceneId(),
                    chatId,
                    id);
        } catch (WorkflowExecutionAlreadyStarted e) {
            log.debug("scene {} already started by another account", id);
        }
    }
}
