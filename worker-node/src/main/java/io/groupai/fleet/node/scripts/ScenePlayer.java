package io.groupai.fleet.node.scripts;

import io.groupai.fleet.scripts.Decision;
import io.groupai.fleet.scripts.Script;

/**
 * Plays a multi-account scene: its lines are said by the accounts playing each role, possibly on
 * other nodes, with delays between them — a workflow on the control plane that schedules
 * send-message activities on the queues of those accounts' nodes, started when a node asks
 * (see {@link HttpScenePlayer}).
 */
@FunctionalInterface
public interface ScenePlayer {

    /** Starts the scene once per {@code eventKey} (a second start for the same event is ignored). */
    void play(Script script, long chatId, String eventKey, Decision decision) throws Exception;

    ScenePlayer NONE = (script, chatId, eventKey, decision) -> {
        throw new IllegalStateException("multi-account scenes need the control plane; none is configured");
    };
}
