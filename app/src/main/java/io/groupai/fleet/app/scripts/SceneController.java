package io.groupai.fleet.app.scripts;

import io.groupai.fleet.app.heartbeats.NodeAuthentication;
import io.groupai.fleet.app.workflows.StartedWorkflow;
import io.groupai.fleet.app.workflows.WorkflowLauncher;
import io.groupai.fleet.registry.FieldProblem;
import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.scripts.Decision;
import io.groupai.fleet.scripts.Script;
import io.groupai.fleet.scripts.ScriptEngine;
import io.groupai.fleet.scripts.ScriptParser;
import io.groupai.fleet.scriptstore.ScriptRepository;
import io.groupai.fleet.scriptstore.ScriptRepository.StoredScript;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.scripts.MultiAccountSceneWorkflow;
import io.groupai.fleet.workflows.scripts.SceneLine;
import io.groupai.fleet.workflows.scripts.SceneRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code POST /api/v1/workers/{node_id}/scenes {script_id, version, scene_id, chat_id, event_key, values}}:
 * a node whose account saw a multi-account scene's trigger asks the control plane to play it. Nodes
 * cannot start workflows (the Temporal gate lets them only work their own activity queue), and they
 * must not choose what other nodes' accounts say: the lines and roles come from this control plane's
 * script store; the node sends only the values of the variables the lines use (the event's first
 * name, chat title, ... — which only the node saw), bounded in size. One play per chat and event
 * ({@link WorkflowIds#scene}), however many accounts ask.
 */
@RestController
class SceneController {

    private static final Logger log = LoggerFactory.getLogger(SceneController.class);

    static final int MAX_VALUES = 32;
    static final int MAX_VALUE_CHARS = 1024;

    record SceneStart(
            String scriptId,
            String version,
            String sceneId,
            Long chatId,
            String eventKey,
            Map<String, String> values) {}

    private final NodeAuthentication auth;
    private final ScriptRepository store;
    private final WorkflowLauncher launcher;
    private final JdbcClient jdbc;
    private final FleetDialogueDirectory groups;

    SceneController(
            NodeAuthentication auth,
            ScriptRepository store,
            WorkflowLauncher launcher,
            JdbcClient jdbc,
            FleetDialogueDirectory groups) {
        this.groups = groups;
        this.auth = auth;
        this.store = store;
        this.launcher = launcher;
        this.jdbc = jdbc;
    }

    @PostMapping("/api/v1/workers/{nodeId}/scenes")
    ResponseEntity<Map<String, Object>> play(
            @PathVariable String nodeId,
            @RequestHeader(name = "Authorization", required = false) String authorization,
            @RequestBody SceneStart request) {
        auth.require(nodeId, authorization);
        Map<String, String> values = validate(request);
        StoredScript stored = store.get(request.scriptId(), Optional.of(request.version())); // 404 naming it
        Integer running = jdbc.sql("SELECT COUNT(*) FROM accounts WHERE server_id = ? AND script_id = ?")
                .param(nodeId)
                .param(stored.scriptId())
                .query(Integer.class)
                .single();
        if (running == 0) {
            throw new ResponseStatusException(
                    HttpStatus.FORBIDDEN,
                    "node " + nodeId + " has no account running script " + stored.scriptId()
                            + "; only a node whose accounts use a script may start its scenes");
        }
        ScriptEngine engine = new ScriptEngine(ScriptParser.parse(stored.yaml()));
        Script script = engine.script();
        List<Decision.PlannedLine> planned = engine.sceneLines(request.sceneId(), values)
                .orElseThrow(() -> new InvalidInputException(
                        "scene_id",
                        "script " + stored.scriptId() + " " + stored.version() + " has no multi-account scene '"
                                + request.sceneId() + "'"));
        // A role is played only by its accounts allowed to talk in this chat (PUT /accounts/{id}/groups).
        Map<String, List<String>> players = new LinkedHashMap<>();
        for (Decision.PlannedLine l : planned) {
            players.computeIfAbsent(l.role(), role -> {
                List<String> allowed = groups.allowedIn(script.roles().getOrDefault(role, List.of()), request.chatId());
                if (allowed.isEmpty()) {
                    throw new ResponseStatusException(
                            HttpStatus.CONFLICT,
                            "role '" + role + "' of scene " + request.sceneId() + " (script " + stored.scriptId()
                                    + ") has no account allowed to talk in chat " + request.chatId()
                                    + "; allow one with PUT /api/v1/group-ai/accounts/{account_id}/groups");
                }
                return allowed;
            });
        }
        List<SceneLine> lines = planned.stream()
                .map(l -> new SceneLine(l.role(), players.get(l.role()), l.text(), l.delaySeconds()))
                .toList();
        String workflowId = WorkflowIds.scene(request.chatId(), request.eventKey());
        Optional<StartedWorkflow> started = launcher.startOnce(
                MultiAccountSceneWorkflow.class,
                workflowId,
                "chat:" + request.chatId(),
                w -> w::play,
                new SceneRequest(stored.scriptId(), request.sceneId(), request.chatId(), lines));
        if (started.isPresent()) {
            log.info(
                    "node {}: multi-account scene {} of script {} {} started in chat {} ({})",
                    nodeId,
                    request.sceneId(),
                    stored.scriptId(),
                    stored.version(),
                    request.chatId(),
                    workflowId);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("workflow_id", workflowId);
        body.put("status_url", WorkflowLauncher.statusUrl(workflowId));
        body.put("started", started.isPresent());
        return ResponseEntity.status(started.isPresent() ? HttpStatus.CREATED : HttpStatus.OK)
                .body(body);
    }

    private static Map<String, String> validate(SceneStart request) {
        List<FieldProblem> problems = new ArrayList<>();
        if (request == null) {
            throw new InvalidInputException("body", "script_id, version, scene_id, chat_id and event_key are required");
        }
        require(problems, "script_id", request.scriptId(), 128);
        require(problems, "version", request.version(), 64);
        require(problems, "scene_id", request.sceneId(), 128);
        require(problems, "event_key", request.eventKey(), 512);
        if (request.chatId() == null) {
            problems.add(new FieldProblem("chat_id", "is required"));
        }
        Map<String, String> values = request.values() == null ? Map.of() : request.values();
        if (values.size() > MAX_VALUES) {
            problems.add(new FieldProblem("values", "at most " + MAX_VALUES + " variables"));
        }
        values.forEach((name, value) -> {
            if (name == null || name.length() > 64 || value == null || value.length() > MAX_VALUE_CHARS) {
                problems.add(new FieldProblem(
                        "values",
                        "each variable needs a name of at most 64 characters and a value of at most "
                                + MAX_VALUE_CHARS));
            }
        });
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems.stream().distinct().toList());
        }
        return values;
    }

    private static void require(List<FieldProblem> problems, String field, String value, int max) {
        if (value == null || value.isBlank()) {
            problems.add(new FieldProblem(field, "is required"));
        } else if (value.length() > max) {
            problems.add(new FieldProblem(field, "is at most " + max + " characters"));
        }
    }
}
