package io.groupai.fleet.scripts;

import java.util.List;

/**
 * What the engine decided for one event: the scene that fired and what to do.
 *
 * @param kind       SEND a rendered text, AI_GENERATE (ask the routing pool with {@code aiPrompt}),
 *                   or PLAY the lines of a multi-account scene
 * @param nextScene  the scene the chat is in afterwards
 */
public record Decision(
        String sceneId,
        Kind kind,
        String text,
        String aiPrompt,
        double delaySeconds,
        List<PlannedLine> lines,
        String nextScene) {

    public enum Kind {
        SEND,
        AI_GENERATE,
        PLAY
    }

    /** A line of a multi-account scene, rendered: who says it and after how long (after the previous line). */
    public record PlannedLine(String role, String text, double delaySeconds) {}
}
