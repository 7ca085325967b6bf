package io.groupai.fleet.app.heartbeats;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.groupai.fleet.app.scripts.FleetDialogueDirectory;
import io.groupai.fleet.heartbeats.Heartbeat;
import io.groupai.fleet.heartbeats.HeartbeatReply;
import io.groupai.fleet.heartbeats.HeartbeatService;
import io.groupai.fleet.heartbeats.PendingCommand;
import io.groupai.fleet.registry.AccountRecord;
import io.groupai.fleet.registry.AccountRepository;
import io.groupai.fleet.registry.NodeTokenStore;
import io.groupai.fleet.registry.NotFoundException;
import io.groupai.fleet.sessions.SessionIntegrityException;
import io.groupai.fleet.sessions.SessionStore;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The seed's worker protocol: {@code POST /api/v1/workers/heartbeat} every 30 s with the node's
 * accounts; the reply renews the node's lease and carries {@code pending_commands}. Also serves
 * session archives to the node an account is assigned to ({@code upload_session} commands).
 */
@RestController
class WorkerHeartbeatController {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(WorkerHeartbeatController.class);
    /** The node checks the archive it downloads against it (worker-node's NodeAgentActivitiesImpl, same name). */
    static final String SESSION_SHA256_HEADER = "X-Session-SHA256";

    record CommandView(long id, String action, JsonNode params) {}

    /**
     * {@code assigned_accounts}: what the database assigns to the node; it starts those it does not run
     * when its agent starts and when its lease is renewed after it ran out (it stopped them then).
     * @param nodeToken only for a node that authenticated with its previous token (within the grace period of
     *                  a rotation): the token to use from now on. Absent otherwise.
     * @param dialogueVersion the version of what the node's dialogue managers need (the fleet's Telegram user
     *                        ids, its accounts' allowed groups); the node downloads
     *                        {@code GET /api/v1/workers/{node_id}/dialogue} when it changes
     */
    record Reply(
            boolean ok,
            Instant leaseExpiresAt,
            List<CommandView> pendingCommands,
            List<String> rejectedAccounts,
            List<HeartbeatReply.AssignedAccount> assignedAccounts,
            @JsonInclude(JsonInclude.Include.NON_NULL) String nodeToken,
            String dialogueVersion) {

        /** Never print the token. */
        @Override
        public String toString() {
            return "Reply[ok=" + ok + ", leaseExpiresAt=" + leaseExpiresAt + ", pendingCommands=" + pendingCommands
                    + ", rejectedAccounts=" + rejectedAccounts + ", assignedAccounts=" + assignedAccounts
                    + ", nodeToken=" + (nodeToken == null ? "none" : "***")
                    + ", dialogueVersion=" + dialogueVersion + "]";
        }
    }

    private final HeartbeatService heartbeats;
    private final NodeAuthentication auth;
    private final AccountRepository accounts;
    private final SessionStore sessions;
    private final JsonMapper json;
    private final NodeTokenStore tokens;
    private final FleetDialogueDirectory dialogue;

    WorkerHeartbeatController(
            HeartbeatService heartbeats,
            NodeAuthentication auth,
            NodeTokenStore tokens,
            AccountRepository accounts,
            SessionStore sessions,
            JsonMapper json,
            FleetDialogueDirectory dialogue) {
        this.dialogue = dialogue;
        this.heartbeats = heartbeats;
        this.auth = auth;
        this.tokens = tokens;
        this.accounts = accounts;
        this.sessions = sessions;
        this.json = json;
    }

    // Declared, so Spring MVC need not ask every message converter what it could write (per heartbeat).
    @PostMapping(path = "/api/v1/workers/heartbeat", produces = MediaType.APPLICATION_JSON_VALUE)
    Reply heartbeat(
            @RequestBody JsonNode body, @RequestHeader(name = "Authorization", required = false) String authorization) {
        String nodeId = HeartbeatJson.nodeId(body);
        NodeTokenStore.Match match = auth.require(nodeId, authorization);
        Heartbeat heartbeat = HeartbeatJson.read(body);
        HeartbeatReply reply = heartbeats.accept(heartbeat);
        dialogue.recordTelegramUsers(nodeId, HeartbeatJson.telegramUserIds(body));
        JsonNode applied = body.get("dialogue_version");
        if (applied != null && applied.isString() && applied.stringValue().length() <= 64) {
            dialogue.recordApplied(nodeId, applied.stringValue());
        }
        // The node still uses the token from before a rotation: hand it the new one over this authenticated channel.
        String rotated =
                match == NodeTokenStore.Match.PREVIOUS ? tokens.reveal(nodeId).orElse(null) : null;
        return new Reply(
                true,
                reply.leaseExpiresAt(),
                reply.pendingCommands().stream().map(this::view).toList(),
                reply.rejectedAccounts(),
                reply.assignedAccounts(),
                rotated,
                dialogue.version(nodeId));
    }

    /**
     * What the node's dialogue managers need: the Telegram user ids of every account of the fleet (never
     * answered unless a script says so) and the allowed groups of the accounts assigned to this node.
     */
    @GetMapping("/api/v1/workers/{nodeId}/dialogue")
    FleetDialogueDirectory.NodeDialogue dialogue(
            @PathVariable String nodeId,
            @RequestHeader(name = "Authorization", required = false) String authorization) {
        auth.require(nodeId, authorization);
        return dialogue.view(nodeId);
    }

    /** The stored session archive, only for the node the account is assigned to. */
    @GetMapping("/api/v1/workers/{nodeId}/sessions/{accountId}")
    ResponseEntity<StreamingResponseBody> session(
            @PathVariable String nodeId,
            @PathVariable String accountId,
            @RequestHeader(name = "Authorization", required = false) String authorization) {
        auth.require(nodeId, authorization);
        AccountRecord account = accounts.get(accountId);
        if (!nodeId.equals(account.serverId())) {
            throw new ResponseStatusException(
                    HttpStatus.FORBIDDEN, "account " + accountId + " is not assigned to " + nodeId);
        }
        SessionStore.ArchiveInfo archive = sessions.info(accountId)
                .orElseThrow(() -> new NotFoundException("no session is stored for account " + accountId
                        + "; upload one with POST /api/v1/group-ai/accounts/" + accountId + "/session"));
        // Decrypted as it streams (and verified: a damaged file breaks the response off); the node checks what
        // arrived against the SHA-256 recorded at store time, sent in a header.
        StreamingResponseBody body = out -> {
            try (InputStream in = sessions.open(accountId, "download by " + nodeId)) {
                in.transferTo(out);
            } catch (SessionIntegrityException e) {
                log.error("server {}: {}", nodeId, e.getMessage());
                throw e;
            }
        };
        return ResponseEntity.ok()
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .contentLength(archive.sizeBytes())
                .header(SESSION_SHA256_HEADER, archive.sha256())
                .body(body);
    }

    private CommandView view(PendingCommand command) {
        return new CommandView(command.id(), command.action(), json.readTree(command.paramsJson()));
    }
}
