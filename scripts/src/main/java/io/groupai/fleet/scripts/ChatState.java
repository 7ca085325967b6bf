package io.groupai.fleet.scripts;

import java.util.HashMap;
import java.util.Map;

/**
 * The engine's state for one account in one group: the current scene, the script variables set so
 * far and the clocks of its timers. Not thread-safe: the dialogue manager serialises the events of
 * one account and group.
 */
public final class ChatState {

    int scene = -1;
    long sceneEnteredAt;
    long lastMessageAt;
    boolean anyMessage;
    boolean quietTimerFired;
    long[] lastScheduleFire;
    final Map<String, String> variables = new HashMap<>(4);

    public ChatState() {}

    /** A state at {@code sceneId} with variables (dry runs). */
    public static ChatState at(ScriptEngine engine, String sceneId, Map<String, String> variables, long now) {
        ChatState s = new ChatState();
        s.scene = sceneId == null ? -1 : engine.sceneIndex(sceneId);
        s.sceneEnteredAt = now;
        s.lastMessageAt = now;
        s.anyMessage = true;
        if (variables != null) {
            s.variables.putAll(variables);
        }
        return s;
    }

    public String sceneId(ScriptEngine engine) {
        return scene < 0 ? null : engine.script().scenes().get(scene).id();
    }

    public Map<String, String> variables() {
        return Map.copyOf(variables);
    }
}
