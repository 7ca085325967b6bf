package io.groupai.fleet.node.accounts;

import com.fasterxml.jackson.databind.JsonNode;
import io.groupai.fleet.node.ControlPlaneHttp;
import io.groupai.fleet.node.NodeOperationException;
import io.groupai.fleet.workflows.FailureTypes;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code GET /api/v1/workers/{node}/accounts/{account}/database-key} with the node token. The control
 * plane answers only for an account assigned or reserved to this node; 401/403/404 are refusals that a
 * retry cannot change, anything else (network, 5xx) may pass.
 */
public final class HttpDatabaseKeys implements DatabaseKeys {

    private static final String STEP = "start-account";
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final ControlPlaneHttp http;
    private final String nodeId;

    public HttpDatabaseKeys(ControlPlaneHttp http, String nodeId) {
        this.http = http;
        this.nodeId = nodeId;
    }

    @Override
    public String fetch(String accountId) {
        String path = "/api/v1/workers/" + encode(nodeId) + "/accounts/" + encode(accountId) + "/database-key";
        try {
            JsonNode body = http.getJson(path, JsonNode.class, TIMEOUT);
            JsonNode key = body == null ? null : body.get("database_encryption_key");
            if (key == null || !key.isTextual() || key.asText().isBlank()) {
                throw NodeOperationException.transientFailure(
                        STEP, accountId, "the control plane answered without a database key", null);
            }
            return key.asText();
        } catch (ControlPlaneHttp.HttpStatusException e) {
            if (e.status() == 401 || e.status() == 403 || e.status() == 404) {
                throw NodeOperationException.rejected(
                        STEP,
                        accountId,
                        FailureTypes.DATABASE_KEY_REFUSED,
                        "the control plane refused the account's database key (HTTP " + e.status()
                                + "): it is not assigned or reserved to this node, or the node token is wrong");
            }
            throw NodeOperationException.transientFailure(
                    STEP, accountId, "cannot fetch the database key: " + ControlPlaneHttp.describe(e), e);
        } catch (IOException e) {
            throw NodeOperationException.transientFailure(
                    STEP, accountId, "cannot fetch the database key: " + ControlPlaneHttp.describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw NodeOperationException.transientFailure(STEP, accountId, "interrupted fetching the database key", e);
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
