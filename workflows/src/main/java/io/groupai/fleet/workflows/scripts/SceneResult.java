package io.groupai.fleet.workflows.scripts;

import java.util.List;

/** The lines said (who, on which node, message id) and, when the scene stopped early, why. */
public record SceneResult(String scriptId, String sceneId, long chatId, List<SaidLine> said, String failure) {

    public record SaidLine(String role, String accountId, String nodeId, long messageId) {}
}
