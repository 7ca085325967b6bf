package io.groupai.fleet.app.heartbeats;

import io.groupai.fleet.heartbeats.NodeCommandQueue;
import io.groupai.fleet.heartbeats.PendingCommand;
import io.groupai.fleet.registry.AccountRecord;
import io.groupai.fleet.registry.AccountRepository;
import io.groupai.fleet.registry.ConflictException;
import io.groupai.fleet.registry.FieldProblem;
import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.sessions.SessionStore;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Queue commands for a node that are delivered in its next heartbeat reply — the way to manage
 * a worker that speaks only the seed's heartbeat protocol.
 */
@RestController
@RequestMapping("/api/v1/group-ai/servers/{nodeId}/commands")
class NodeCommandController {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    record CommandRequest(String action, JsonNode params) {}

    record CommandView(
            long id, String nodeId, String action, JsonNode params, String status, int attempts, String error) {}

    private final NodeCommandQueue queue;
    private final ServerRepository servers;
    private final AccountRepository accounts;
    private final SessionStore sessions;
    private final JsonMapper json;
    private final String publicUrl;

    NodeCommandController(
            NodeCommandQueue queue,
            ServerRepository servers,
            AccountRepository accounts,
            SessionStore sessions,
            JsonMapper json,
            @Value("${groupai.public-url:}") String publicUrl) {
        this.queue = queue;
        this.servers = servers;
        this.accounts = accounts;
        this.sessions = sessions;
        this.json = json;
        this.publicUrl = publicUrl;
    }

    @PostMapping
    ResponseEntity<CommandView> enqueue(@PathVariable String nodeId, @RequestBody CommandRequest request) {
        servers.get(nodeId);
        Map<String, Object> params = switch (request.action() == null ? "" : request.action()) {
            case "update_script" -> updateScript(request.params());
            case "upload_session" -> uploadSession(nodeId, request.params());
            default -> throw new InvalidInputException("action", "must be update_script or upload_session");
        };
        long id = queue.enqueue(nodeId, request.action(), json.writeValueAsString(params));
        CommandView view = new CommandView(id, nodeId, request.action(), json.valueToTree(params), "pending", 0, null);
        return ResponseEntity.created(URI.create("/api/v1/group-ai/servers/" + nodeId + "/commands"))
                .body(view);
    }

    @GetMapping
    List<CommandView> recent(@PathVariable String nodeId) {
        servers.get(nodeId);
        return queue.recent(nodeId, 100).stream().map(this::view).toList();
    }

    private Map<String, Object> updateScript(JsonNode params) {
        List<FieldProblem> problems = new ArrayList<>();
        String scriptId = required(params, "script_id", problems);
        String version = required(params, "version", problems);
        String url = required(params, "download_url", problems);
        if (url != null && !ownDownloadUrl(url)) {
            problems.add(new FieldProblem(
                    "params.download_url",
                    "must be a download URL of this control plane (a path such as /api/v1/group-ai/scripts/<id>/download, "
                            + "or a URL under " + base() + "): nodes fetch scripts from nowhere else"));
        }
        String sha256 = required(params, "sha256", problems);
        if (sha256 != null && !SHA256.matcher(sha256).matches()) {
            problems.add(new FieldProblem("params.sha256", "must be 64 lower-case hex digits"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("script_id", scriptId);
        out.put("version", version);
        out.put("download_url", url);
        out.put("sha256", sha256);
        return out;
    }

    private Map<String, Object> uploadSession(String nodeId, JsonNode params) {
        List<FieldProblem> problems = new ArrayList<>();
        String accountId = required(params, "account_id", problems);
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        AccountRecord account = accounts.get(accountId);
        if (!nodeId.equals(account.serverId())) {
            throw new ConflictException("account " + accountId + " is assigned to "
                    + (account.serverId() == null ? "no server" : account.serverId()) + ", not " + nodeId
                    + "; allocate it to " + nodeId + " first");
        }
        if (!sessions.has(accountId)) {
            throw new ConflictException("no session is stored for account " + accountId
                    + "; upload one with POST /api/v1/group-ai/accounts/" + accountId + "/session");
        }
        String base = base();
        return Map.of(
                "account_id", accountId, "session_url", base + "/api/v1/workers/" + nodeId + "/sessions/" + accountId);
    }

    /** This control plane as nodes reach it: groupai.public-url, else the URL this request came to. */
    private String base() {
        return publicUrl.isBlank()
                ? ServletUriComponentsBuilder.fromCurrentContextPath().toUriString()
                : publicUrl;
    }

    /** A path on this control plane (resolved by the node against its CONTROL_PLANE_URL), or a URL of its origin. */
    private boolean ownDownloadUrl(String url) {
        if (url.chars().anyMatch(c -> c <= ' ' || c == '\\')) {
            return false;
        }
        if (url.startsWith("/")) {
            return !url.startsWith("//");
        }
        try {
            URI u = URI.create(url);
            URI own = URI.create(base());
            return u.isAbsolute()
                    && own.getScheme().equalsIgnoreCase(u.getScheme())
                    && own.getHost() != null
                    && own.getHost().equalsIgnoreCase(u.getHost())
                    && port(own) == port(u)
                    && u.getRawUserInfo() == null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static String required(JsonNode params, String name, List<FieldProblem> problems) {
        JsonNode value = params == null ? null : params.get(name);
        if (value == null || !value.isString() || value.stringValue().isBlank()) {
            problems.add(new FieldProblem("params." + name, "is required (a string)"));
            return null;
        }
        return value.stringValue();
    }

    private CommandView view(PendingCommand c) {
        return new CommandView(
                c.id(), c.nodeId(), c.action(), json.readTree(c.paramsJson()), c.status(), c.attempts(), c.error());
    }
}
