package io.groupai.fleet.app.scripts;

import io.groupai.fleet.app.heartbeats.NodeAuthentication;
import io.groupai.fleet.registry.InvalidInputException;
import java.util.Map;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** Nodes claim the right to answer an event before their account replies (see {@link DialogueClaims}). */
@RestController
class DialogueClaimController {

    record ClaimRequest(String accountId, Long chatId, String eventKey) {}

    private final NodeAuthentication auth;
    private final DialogueClaims claims;

    DialogueClaimController(NodeAuthentication auth, DialogueClaims claims) {
        this.auth = auth;
        this.claims = claims;
    }

    @PostMapping("/api/v1/workers/{nodeId}/dialogue-claims")
    Map<String, Object> claim(
            @PathVariable String nodeId,
            @RequestHeader(name = "Authorization", required = false) String authorization,
            @RequestBody ClaimRequest request) {
        auth.require(nodeId, authorization);
        if (request.accountId() == null
                || request.chatId() == null
                || request.eventKey() == null
                || request.eventKey().length() > 512) {
            throw new InvalidInputException(
                    "event_key", "account_id, chat_id and event_key (≤ 512 chars) are required");
        }
        return Map.of("granted", claims.claim(request.accountId(), request.chatId(), request.eventKey()));
    }
}
