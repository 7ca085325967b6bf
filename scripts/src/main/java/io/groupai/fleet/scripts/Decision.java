package io.groupai.fleet.scripts;

import java.util.List;
import java.util.Map;

/**
 * What the engine decided for one event: the scene that fired and what to do.
 *
 * @param kind       SEND a rendered text, AI_GENERATE (ask the routing pool with {@code aiPrompt}),
 *                   or PLAY the lines of a multi-account scene
 * @param nextScene  the scene the chat is in afterwards
 * @param values     PLAY only: the value of each variable the scene's lines use, as rendered for this
 *                   event — what a node sends the control plane, which renders its own copy of the lines
 *                   with them ({@link ScriptEngine#sceneLines})
 */
public record Decision(
        String sceneId,
        Kind kind,
        String text,
        String aiPrompt,
        double delaySeconds,
        List<PlannedLine> lines,
        String nextScene,
        Map<String, String> values) {

    public Decision(
            String sceneId,
            Kind kind,
            String text,
            String aiPrompt,
            double delaySeconds,
            List<PlannedLine> lines,
            String nextScene) {
        this(sceneId, kind, text, aiPrompt, delaySeconds, lines, nextScene, Map.of());
    }

    public enum Kind {
        SEND,
        AI_GENERATE,
        PLAY
    }

    /** A line of a multi-account scene, rendered: who says it and after how long (after the previous line). */
    public record PlannedLine(String role, String text, double delaySeconds) {}
}
