package io.groupai.fleet.node.scripts;

import com.fasterxml.jackson.databind.JsonNode;
import io.groupai.fleet.node.ControlPlaneHttp;
import io.groupai.fleet.scripts.Decision;
import io.groupai.fleet.scripts.Script;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the control plane to play a multi-account scene ({@code POST /api/v1/workers/{node_id}/scenes}
 * with the node token). The node cannot start workflows itself — its Temporal connection goes through
 * the control plane's gate, which lets it only work its own activity queue — and it sends no lines:
 * the control plane renders them from its own copy of the script, with the values of the event this
 * node saw. A second request for the same chat and event (another account saw it too) starts nothing.
 */
public final class HttpScenePlayer implements ScenePlayer {

    private static final Logger log = LoggerFactory.getLogger(HttpScenePlayer.class);

    private final ControlPlaneHttp http;
    private final String nodeId;

    public HttpScenePlayer(ControlPlaneHttp http, String nodeId) {
        this.http = http;
        this.nodeId = nodeId;
    }

    @Override
    public void play(Script script, long chatId, String eventKey, Decision decision)
            throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("script_id", script.scriptId());
        body.put("version", script.version());
        body.put("scene_id", decision.sceneId());
        body.put("chat_id", chatId);
        body.put("event_key", eventKey);
        body.put("values", decision.values() == null ? Map.of() : decision.values());
        JsonNode reply =
                http.postJson("/api/v1/workers/" + nodeId + "/scenes", body, JsonNode.class, Duration.ofSeconds(10));
        if (reply != null && reply.path("started").asBoolean(false)) {
            log.info(
                    "script {}: multi-account scene {} started in chat {} ({})",
                    script.scriptId(),
                    decision.sceneId(),
                    chatId,
                    reply.path("workflow_id").asText());
        } else {
            log.debug("scene {} in chat {} already started by another account", decision.sceneId(), chatId);
        }
    }
}
