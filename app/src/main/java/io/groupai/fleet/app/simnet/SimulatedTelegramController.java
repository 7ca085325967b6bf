package io.groupai.fleet.app.simnet;

import io.groupai.fleet.app.heartbeats.NodeAuthentication;
import io.groupai.fleet.app.simnet.SimulatedTelegramNetwork.SimGroup;
import io.groupai.fleet.app.simnet.SimulatedTelegramNetwork.SimMessage;
import io.groupai.fleet.app.simnet.SimulatedTelegramNetwork.SimUser;
import io.groupai.fleet.app.simnet.SimulatedTelegramNetwork.Update;
import io.groupai.fleet.registry.InvalidInputException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * HTTP face of the SIMULATED Telegram network. Nodes call the account endpoints with their node
 * token; the group endpoints let a person (or a test) create groups, add members and post as a
 * human. Nothing here reaches Telegram.
 */
@RestController
@RequestMapping("/api/v1/sim-telegram")
class SimulatedTelegramController {

    record ConnectRequest(String nodeId) {}

    record SendRequest(Long chatId, String text) {}

    record GroupRequest(String title) {}

    record MemberRequest(String accountId, String firstName) {}

    /** {@code reply_to_message_id}: optional, a message of the group this one answers. */
    record HumanMessageRequest(String fromFirstName, String text, Long replyToMessageId) {}

    record Updates(List<Update> updates) {}

    private final SimulatedTelegramNetwork network;
    private final NodeAuthentication auth;

    SimulatedTelegramController(SimulatedTelegramNetwork network, NodeAuthentication auth) {
        this.network = network;
        this.auth = auth;
    }

    @PostMapping("/accounts/{accountId}/connect")
    SimUser connect(
            @PathVariable String accountId,
            @RequestBody ConnectRequest request,
            @RequestHeader(name = "Authorization", required = false) String authorization) {
        if (request.nodeId() == null) {
            throw new InvalidInputException("node_id", "is required: the node the account runs on");
        }
        auth.require(request.nodeId(), authorization);
        return network.connect(accountId, request.nodeId());
    }

    @GetMapping("/accounts/{accountId}/updates")
    Updates updates(
            @PathVariable String accountId,
            @RequestParam(defaultValue = "0") long offset,
            @RequestParam(name = "timeout_ms", defaultValue = "0") long timeoutMillis,
            @RequestHeader(name = "Authorization", required = false) String authorization)
            throws InterruptedException {
        auth.require(connectedNode(accountId), authorization);
        return new Updates(network.updates(accountId, offset, timeoutMillis));
    }

    @PostMapping("/accounts/{accountId}/messages")
    Map<String, Long> send(
            @PathVariable String accountId,
            @RequestBody SendRequest request,
            @RequestHeader(name = "Authorization", required = false) String authorization) {
        auth.require(connectedNode(accountId), authorization);
        if (request.chatId() == null || request.text() == null || request.text().isBlank()) {
            throw new InvalidInputException("text", "chat_id and a non-empty text are required");
        }
        return Map.of(
                "message_id",
                network.sendAsAccount(accountId, request.chatId(), request.text())
                        .messageId());
    }

    /**
     * The node the account is connected from. The network lives in the control plane's memory, so a
     * restarted control plane knows no connection: 409 tells the node to connect again (a 401 would
     * blame its token, and the node would poll in vain).
     */
    private String connectedNode(String accountId) {
        String node = network.nodeOf(accountId);
        if (node == null) {
            throw new ResponseStatusException(
                    HttpStatus.CONFLICT,
                    "account " + accountId + " is not connected to the simulated network (the control plane "
                            + "restarted, or the account was disconnected): connect it again with POST "
                            + "/api/v1/sim-telegram/accounts/" + accountId + "/connect");
        }
        return node;
    }

    @PostMapping("/accounts/{accountId}/disconnect")
    Map<String, Boolean> disconnect(
            @PathVariable String accountId,
            @RequestHeader(name = "Authorization", required = false) String authorization) {
        auth.require(network.nodeOf(accountId), authorization);
        network.disconnect(accountId);
        return Map.of("ok", true);
    }

    @PostMapping("/groups")
    @ResponseStatus(HttpStatus.CREATED)
    SimGroup createGroup(@RequestBody GroupRequest request) {
        if (request.title() == null || request.title().isBlank()) {
            throw new InvalidInputException("title", "is required");
        }
        return network.createGroup(request.title());
    }

    @GetMapping("/groups")
    Collection<SimGroup> groups() {
        return network.groups();
    }

    /** Adds an account ({@code account_id}) or a new human member ({@code first_name}); members see a join. */
    @PostMapping("/groups/{chatId}/members")
    @ResponseStatus(HttpStatus.CREATED)
    SimUser addMember(@PathVariable long chatId, @RequestBody MemberRequest request) {
        if ((request.accountId() == null)
                == (request.firstName() == null || request.firstName().isBlank())) {
            throw new InvalidInputException(
                    "account_id", "give either account_id (an account joins) or first_name (a human joins)");
        }
        return network.join(chatId, request.accountId(), request.firstName());
    }

    @PostMapping("/groups/{chatId}/messages")
    @ResponseStatus(HttpStatus.CREATED)
    SimMessage postAsHuman(@PathVariable long chatId, @RequestBody HumanMessageRequest request) {
        if (request.fromFirstName() == null
                || request.text() == null
                || request.text().isBlank()) {
            throw new InvalidInputException("text", "from_first_name and a non-empty text are required");
        }
        return network.postAsHuman(chatId, request.fromFirstName(), request.text(), request.replyToMessageId());
    }

    @GetMapping("/groups/{chatId}/messages")
    List<SimMessage> messages(@PathVariable long chatId) {
        return network.messages(chatId);
    }
}
