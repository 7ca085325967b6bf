package io.groupai.fleet.node.scripts;

import io.groupai.fleet.scripts.Decision;

/**
 * Plays a multi-account scene: its lines are said by the accounts playing each role, possibly on
 * other nodes, with delays between them — a workflow that schedules send-message activities on the
 * queues of those accounts' nodes (see the workflows module).
 */
@FunctionalInterface
public interface ScenePlayer {

    /** Starts the scene once per {@code eventKey} (a second start for the same event is ignored). */
    void play(String scriptId, long chatId, String eventKey, Decision decision) throws Exception;

    ScenePlayer NONE = (scriptId, chatId, eventKey, decision) -> {
        throw new IllegalStateException("multi-account scenes need the node's Temporal client; none is configured");
    };
}
