package io.groupai.fleet.app.logins;

import io.groupai.fleet.app.heartbeats.NodeAuthentication;
import io.groupai.fleet.registry.InvalidInputException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * The node's side of interactive logins, authenticated with the node token: a long poll that hands
 * each waiting value out once, and the node's report of the state the login reached.
 */
@RestController
class WorkerLoginController {

    private static final int MAX_DETAIL = 500;

    private final LoginStore logins;
    private final NodeAuthentication auth;

    WorkerLoginController(LoginStore logins, NodeAuthentication auth) {
        this.logins = logins;
        this.auth = auth;
    }

    @GetMapping("/api/v1/workers/{nodeId}/logins")
    ResponseEntity<List<LoginStore.Delivery>> poll(
            @PathVariable String nodeId,
            @RequestParam(name = "timeout_ms", defaultValue = "0") long timeoutMillis,
            @RequestHeader(name = "Authorization", required = false) String authorization)
            throws InterruptedException {
        auth.require(nodeId, authorization);
        // The body carries secrets: no cache or proxy may keep it.
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(logins.poll(nodeId, timeoutMillis));
    }

    @PostMapping("/api/v1/workers/{nodeId}/logins/{accountId}/state")
    ResponseEntity<Void> report(
            @PathVariable String nodeId,
            @PathVariable String accountId,
            @RequestBody(required = false) JsonNode body,
            @RequestHeader(name = "Authorization", required = false) String authorization) {
        auth.require(nodeId, authorization);
        JsonNode state = body == null ? null : body.get("state");
        LoginStore.State parsed =
                state != null && state.isString() ? LoginStore.State.fromWire(state.stringValue()) : null;
        if (parsed == null) {
            throw new InvalidInputException(
                    "state",
                    "must be one of "
                            + Arrays.stream(LoginStore.State.values())
                                    .map(LoginStore.State::wire)
                                    .collect(Collectors.joining(", ")));
        }
        JsonNode detail = body.get("detail");
        if (detail != null && !detail.isNull() && !detail.isString()) {
            throw new InvalidInputException("detail", "must be a string");
        }
        String text = detail == null || detail.isNull() ? "" : detail.stringValue();
        logins.report(nodeId, accountId, parsed, text.length() > MAX_DETAIL ? text.substring(0, MAX_DETAIL) : text);
        return ResponseEntity.noContent().build();
    }
}
