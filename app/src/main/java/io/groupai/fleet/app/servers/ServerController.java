package io.groupai.fleet.app.servers;

import io.groupai.fleet.app.security.SecurityProperties;
import io.groupai.fleet.app.workflows.StartedWorkflow;
import io.groupai.fleet.app.workflows.WorkflowLauncher;
import io.groupai.fleet.registry.AccountRepository;
import io.groupai.fleet.registry.CredentialStore;
import io.groupai.fleet.registry.FieldProblem;
import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.registry.NodeTokenStore;
import io.groupai.fleet.registry.Page;
import io.groupai.fleet.registry.ServerRecord;
import io.groupai.fleet.registry.ServerRegistry;
import io.groupai.fleet.registry.ServerRegistry.ServerInput;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.registry.ServerStatus;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.nodes.BootstrapNodeWorkflow;
import io.groupai.fleet.workflows.nodes.BootstrapRequest;
import io.groupai.fleet.workflows.nodes.ServerAction;
import io.groupai.fleet.workflows.nodes.ServerOperationRequest;
import io.groupai.fleet.workflows.nodes.ServerOperationWorkflow;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.core.env.Environment;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * Servers: CRUD (credentials write-only), master_config.json import, live status, and worker
 * process operations, which run as the server-operation workflow.
 */
@RestController
@RequestMapping("/api/v1/group-ai/servers")
class ServerController {

    /** Large enough that small fleets get every server in one page, as before paging. */
    static final int DEFAULT_PAGE_SIZE = 100;

    static final int MAX_PAGE_SIZE = 1000;
    /** What probes write into servers.health. */
    static final List<String> HEALTH = List.of("unknown", "healthy", "unhealthy");

    private final ServerRegistry registry;
    private final ServerRepository servers;
    private final AccountRepository accounts;
    private final CredentialStore credentials;
    private final NodeTokenStore tokens;
    private final MasterConfigImporter importer;
    private final WorkflowLauncher launcher;
    private final ServerJson serverJson;

    ServerController(
            ServerRegistry registry,
            ServerRepository servers,
            AccountRepository accounts,
            CredentialStore credentials,
            NodeTokenStore tokens,
            MasterConfigImporter importer,
            WorkflowLauncher launcher,
            Environment environment,
            SecurityProperties security) {
        this.registry = registry;
        this.servers = servers;
        this.accounts = accounts;
        this.credentials = credentials;
        this.tokens = tokens;
        this.importer = importer;
        this.launcher = launcher;
        this.serverJson = new ServerJson(
                environment::getProperty,
                ServerJson.Variables.rest(security.restVariablePrefixes()),
                security.keysDir());
    }

    /** One page of servers, filtered on the database; accounts are counted for that page only. */
    @GetMapping
    Page<ServerView> list(
            @RequestParam(required = false) String status,
            @RequestParam(required = false) String health,
            @RequestParam(required = false) String location,
            @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "" + DEFAULT_PAGE_SIZE) int size) {
        if (page < 0) {
            throw new InvalidInputException("page", "must be 0 or more (pages count from 0)");
        }
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw new InvalidInputException("size", "must be between 1 and " + MAX_PAGE_SIZE);
        }
        if (status != null && ServerStatus.fromWire(status).isEmpty()) {
            throw new InvalidInputException(
                    "status", "unknown status '" + status + "'; use one of active, draining, disabled, down");
        }
        if (health != null && !HEALTH.contains(health)) {
            throw new InvalidInputException(
                    "health", "unknown health '" + health + "'; use one of " + String.join(", ", HEALTH));
        }
        Page<ServerRecord> found = servers.list(status, health, location, page, size);
        return new Page<>(views(found.items()), found.page(), found.size(), found.total());
    }

    @GetMapping("/{nodeId}")
    ServerView get(@PathVariable String nodeId) {
        ServerRecord server = servers.get(nodeId);
        return view(server, accounts.countOnServer(nodeId));
    }

    @PostMapping
    ResponseEntity<ServerView> create(@RequestBody JsonNode body) {
        ServerRecord created = registry.create(read(body, null));
        return ResponseEntity.created(URI.create("/api/v1/group-ai/servers/" + created.nodeId()))
                .body(view(created, 0));
    }

    @PutMapping("/{nodeId}")
    ServerView update(@PathVariable String nodeId, @RequestBody JsonNode body) {
        ServerRecord updated = registry.update(nodeId, read(body, nodeId));
        return view(updated, accounts.countOnServer(nodeId));
    }

    @DeleteMapping("/{nodeId}")
    ResponseEntity<Void> delete(@PathVariable String nodeId) {
        registry.delete(nodeId);
        return ResponseEntity.noContent().build();
    }

    /** Forget the pinned SSH host key, so the next connection pins the key the server presents now. */
    @DeleteMapping("/{nodeId}/host-key")
    ResponseEntity<Void> clearHostKey(@PathVariable String nodeId) {
        registry.clearHostKey(nodeId);
        return ResponseEntity.noContent().build();
    }

    /** Body: master_config.json as written in the seeds; all servers are written or none. */
    @PostMapping(
            path = "/import",
            consumes = {"application/json", "text/plain", "application/octet-stream"})
    Map<String, Object> importMasterConfig(@RequestBody String body) {
        List<ServerRecord> imported = importer.importJson(body);
        return Map.of("imported", imported.size(), "servers", views(imported));
    }

    @GetMapping("/{nodeId}/status")
    ServerStatusView status(@PathVariable String nodeId) {
        ServerRecord server = servers.get(nodeId);
        return ServerStatusView.of(server, accounts.countOnServer(nodeId));
    }

    /** start / stop / restart / status of the node's worker process, as a durable workflow. */
    @PostMapping("/{nodeId}/actions/{action}")
    ResponseEntity<StartedWorkflow> action(@PathVariable String nodeId, @PathVariable String action) {
        ServerAction parsed;
        try {
            parsed = ServerAction.parse(action);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("action", e.getMessage());
        }
        servers.get(nodeId);
        StartedWorkflow started = launcher.start(
                ServerOperationWorkflow.class,
                WorkflowIds.serverOperation(nodeId),
                "server:" + nodeId,
                w -> w::run,
                new ServerOperationRequest(nodeId, parsed));
        return ResponseEntity.accepted()
                .location(URI.create(started.statusUrl()))
                .body(started);
    }

    /** Installs the worker-node agent on the server, starts it and waits for its first poll. */
    @PostMapping("/{nodeId}/bootstrap")
    ResponseEntity<StartedWorkflow> bootstrap(@PathVariable String nodeId) {
        servers.get(nodeId);
        StartedWorkflow started = launcher.start(
                BootstrapNodeWorkflow.class,
                WorkflowIds.bootstrap(nodeId),
                "server:" + nodeId,
                w -> w::run,
                new BootstrapRequest(nodeId));
        return ResponseEntity.accepted()
                .location(URI.create(started.statusUrl()))
                .body(started);
    }

    private ServerInput read(JsonNode body, String pathNodeId) {
        List<FieldProblem> problems = new ArrayList<>();
        ServerJson json = serverJson.fresh();
        ServerInput input = json.read(body, "", pathNodeId, problems);
        if (input != null) {
            problems = FieldProblems.merge(problems, registry.validate(input, ""));
        }
        problems = json.redacted(problems);
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return input;
    }

    /** Views of many servers with one query per kind of detail, not one per server. */
    private List<ServerView> views(List<ServerRecord> list) {
        List<String> ids = list.stream().map(ServerRecord::nodeId).toList();
        Map<String, Integer> counts = accounts.countByServer(ids);
        Map<String, String> authTypes = credentials.authTypes(ids);
        java.util.Set<String> withTokens = tokens.existing(ids);
        return list.stream()
                .map(s -> ServerView.of(
                        s,
                        counts.getOrDefault(s.nodeId(), 0),
                        authTypes.get(s.nodeId()),
                        withTokens.contains(s.nodeId())))
                .toList();
    }

    private ServerView view(ServerRecord server, int accountsCount) {
        return ServerView.of(
                server,
                accountsCount,
                credentials.authType(server.nodeId()).orElse(null),
                tokens.exists(server.nodeId()));
    }
}
