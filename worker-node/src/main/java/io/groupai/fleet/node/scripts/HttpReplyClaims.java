package io.groupai.fleet.node.scripts;

import com.fasterxml.jackson.databind.JsonNode;
import io.groupai.fleet.node.ControlPlaneHttp;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims through the control plane. A control plane without the endpoint (404, older version)
 * grants every claim; any other failure refuses it: a missed reply is better than the same
 * welcome from every account of the group.
 */
public final class HttpReplyClaims implements ReplyClaims {

    private static final Logger log = LoggerFactory.getLogger(HttpReplyClaims.class);

    private final ControlPlaneHttp http;
    private final String nodeId;

    public HttpReplyClaims(ControlPlaneHttp http, String nodeId) {
        this.http = http;
        this.nodeId = nodeId;
    }

    @Override
    public boolean claim(String accountId, long chatId, String eventKey) {
        try {
            JsonNode reply = http.postJson(
                    "/api/v1/workers/" + nodeId + "/dialogue-claims",
                    Map.of("account_id", accountId, "chat_id", chatId, "event_key", eventKey),
                    JsonNode.class,
                    Duration.ofSeconds(5));
            return reply != null && reply.path("granted").asBoolean(false);
        } catch (ControlPlaneHttp.HttpStatusException e) {
            if (e.status() == 404) {
                return true;
            }
            log.warn(
                    "account {}: reply claim in chat {} refused by the control plane: {}",
                    accountId,
                    chatId,
                    e.getMessage());
            return false;
        } catch (IOException e) {
            log.warn(
                    "account {}: cannot claim the reply in chat {} ({}); not answering",
                    accountId,
                    chatId,
                    ControlPlaneHttp.describe(e));
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
