package io.groupai.fleet.workflows.scripts;

import io.groupai.fleet.workflows.nodes.StepProgress;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * Plays a multi-account scene: each line waits its delay on a durable timer, then a send-message
 * activity runs on the queue of the node of the account playing the line's role. Started by the
 * node whose account saw the trigger, with id {@code scene-<chatId>-<event>} so that the same
 * event plays the scene once however many accounts saw it.
 */
@WorkflowInterface
public interface MultiAccountSceneWorkflow {

    @WorkflowMethod
    SceneResult play(SceneRequest request);

    @QueryMethod
    List<StepProgress> progress();
}
