package io.groupai.fleet.app.scripts;

import io.groupai.fleet.registry.FieldProblem;
import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.scripts.ChatState;
import io.groupai.fleet.scripts.Decision;
import io.groupai.fleet.scripts.Event;
import io.groupai.fleet.scripts.InvalidScriptException;
import io.groupai.fleet.scripts.Script;
import io.groupai.fleet.scripts.ScriptEngine;
import io.groupai.fleet.scripts.ScriptParser;
import io.groupai.fleet.scriptstore.ScriptRepository;
import io.groupai.fleet.scriptstore.ScriptRepository.StoredScript;
import io.groupai.fleet.sessionformat.Sha256;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.springframework.http.MediaType;
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
import org.springframework.web.util.UriUtils;

/**
 * The script store: upload (raw YAML or JSON {@code {script_id, yaml}}), list, read, delete,
 * download for nodes, and a dry run that shows which scene an event fires and what would be sent.
 * Every upload is validated by the same parser the nodes use; a rejected script is a 400 naming
 * line and column, and nothing is stored.
 */
@RestController
@RequestMapping("/api/v1/group-ai/scripts")
class ScriptController {

    static final String YAML = "application/yaml";

    record ScriptJson(String scriptId, String yaml) {}

    record ScriptView(
            String scriptId,
            String version,
            String description,
            String sha256,
            int scenes,
            Instant createdAt,
            String downloadUrl,
            List<String> versions) {}

    record DryRunEvent(
            String type,
            String text,
            String firstName,
            String lastName,
            String username,
            String chatTitle,
            Long chatId,
            Boolean mentionsMe,
            Boolean replyToMe) {}

    record DryRunState(String scene, Map<String, String> variables) {}

    record DryRunRequest(String version, DryRunEvent event, DryRunState state, Long seed) {}

    record DryRunLine(String role, List<String> accounts, String text, double delaySeconds) {}

    record DryRunResult(
            String scriptId,
            String version,
            boolean fired,
            String scene,
            String action,
            String text,
            String aiPrompt,
            Double delaySeconds,
            List<DryRunLine> lines,
            String nextScene,
            Map<String, String> variables,
            String note) {}

    /**
     * What {@code POST /scripts/validate} answers: {@code valid} and the parser's problems (line,
     * column, path, message), and for a valid script what saving it would do ({@code stored}: new,
     * same — that version is stored with this content — or conflict — stored with other content).
     */
    record ValidationResult(
            boolean valid,
            String scriptId,
            String version,
            String description,
            Integer scenes,
            String stored,
            String note,
            List<Map<String, Object>> errors) {}

    private final ScriptRepository store;

    ScriptController(ScriptRepository store) {
        this.store = store;
    }

    @PostMapping(consumes = {YAML, "application/x-yaml", "text/yaml", "text/x-yaml", MediaType.TEXT_PLAIN_VALUE})
    ResponseEntity<ScriptView> createYaml(@RequestBody(required = false) String yaml) {
        return save(null, yaml);
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<ScriptView> createJson(@RequestBody ScriptJson body) {
        if (body == null || body.yaml() == null || body.yaml().isBlank()) {
            throw new InvalidInputException("yaml", "is required: the script's YAML as a string");
        }
        return save(body.scriptId(), body.yaml());
    }

    /** A new version of {@code scriptId}: the YAML's script_id must be the path's. */
    @PutMapping(
            path = "/{scriptId}",
            consumes = {YAML, "application/x-yaml", "text/yaml", "text/x-yaml", MediaType.TEXT_PLAIN_VALUE})
    ResponseEntity<ScriptView> updateYaml(@PathVariable String scriptId, @RequestBody(required = false) String yaml) {
        return save(scriptId, yaml);
    }

    @PutMapping(path = "/{scriptId}", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<ScriptView> updateJson(@PathVariable String scriptId, @RequestBody ScriptJson body) {
        if (body == null || body.yaml() == null || body.yaml().isBlank()) {
            throw new InvalidInputException("yaml", "is required: the script's YAML as a string");
        }
        if (body.scriptId() != null && !body.scriptId().equals(scriptId)) {
            throw new InvalidInputException("script_id", "must be the path's script id " + scriptId);
        }
        return save(scriptId, body.yaml());
    }

    private ResponseEntity<ScriptView> save(String expectedId, String yaml) {
        Script script = ScriptParser.parse(yaml == null ? "" : yaml);
        if (expectedId != null && !expectedId.equals(script.scriptId())) {
            throw new InvalidInputException(List.of(new FieldProblem(
                    "script_id",
                    "the YAML's script_id '" + script.scriptId() + "' is not '" + expectedId
                            + "'; they must be the same")));
        }
        String sha = Sha256.hex(yaml.getBytes(StandardCharsets.UTF_8));
        ScriptRepository.Saved saved = store.save(
                script.scriptId(),
                script.version(),
                yaml,
                sha,
                script.description(),
                script.scenes().size());
        ScriptView view = view(saved.script(), null);
        return saved.created()
                ? ResponseEntity.created(URI.create(base(script.scriptId()))).body(view)
                : ResponseEntity.ok(view);
    }

    /**
     * Parses a script as an upload would, with the same parser the nodes use, and stores nothing:
     * the admin pages' editor calls it as the person types, to show problems at their line. A
     * problem is an answer (200, {@code valid: false}), not an error of the call.
     */
    @PostMapping(
            path = "/validate",
            consumes = {YAML, "application/x-yaml", "text/yaml", "text/x-yaml", MediaType.TEXT_PLAIN_VALUE})
    ValidationResult validateYaml(@RequestBody(required = false) String yaml) {
        return validate(yaml);
    }

    @PostMapping(path = "/validate", consumes = MediaType.APPLICATION_JSON_VALUE)
    ValidationResult validateJson(@RequestBody ScriptJson body) {
        return validate(body == null ? null : body.yaml());
    }

    private ValidationResult validate(String yaml) {
        if (yaml == null || yaml.isBlank()) {
            return new ValidationResult(
                    false,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    List.of(Map.of("line", 1, "column", 1, "field", "", "message", "the script is empty")));
        }
        Script script;
        try {
            script = ScriptParser.parse(yaml);
        } catch (InvalidScriptException e) {
            return new ValidationResult(
                    false,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    e.problems().stream()
                            .map(p -> Map.<String, Object>of(
                                    "line", p.line(),
                                    "column", p.column(),
                                    "field", p.path(),
                                    "message", p.message()))
                            .toList());
        }
        String sha = Sha256.hex(yaml.getBytes(StandardCharsets.UTF_8));
        Optional<StoredScript> existing = store.find(script.scriptId(), Optional.of(script.version()));
        String stored =
                existing.map(s -> s.sha256().equals(sha) ? "same" : "conflict").orElse("new");
        String note = switch (stored) {
            case "same" -> "version " + script.version() + " is already stored with this content";
            case "conflict" ->
                "version " + script.version() + " is already stored with other content; versions are immutable,"
                        + " so give this one a new version to save it";
            default -> "saving stores version " + script.version() + " of " + script.scriptId();
        };
        return new ValidationResult(
                true,
                script.scriptId(),
                script.version(),
                script.description(),
                script.scenes().size(),
                stored,
                note,
                List.of());
    }

    @GetMapping
    List<ScriptView> list() {
        return store.latest().stream().map(s -> view(s, null)).toList();
    }

    @GetMapping("/{scriptId}")
    ScriptView get(@PathVariable String scriptId, @RequestParam Optional<String> version) {
        StoredScript s = store.get(scriptId, version);
        return view(
                s, store.versions(scriptId).stream().map(StoredScript::version).toList());
    }

    @DeleteMapping("/{scriptId}")
    ResponseEntity<Void> delete(@PathVariable String scriptId, @RequestParam Optional<String> version) {
        store.get(scriptId, version); // 404 naming what is missing
        store.delete(scriptId, version);
        return ResponseEntity.noContent().build();
    }

    /** The YAML exactly as uploaded (its SHA-256 is what nodes verify), for nodes and people. */
    @GetMapping(path = "/{scriptId}/download")
    ResponseEntity<byte[]> download(@PathVariable String scriptId, @RequestParam Optional<String> version) {
        StoredScript s = store.get(scriptId, version);
        return ResponseEntity.ok()
                .contentType(new MediaType("application", "yaml", StandardCharsets.UTF_8))
                .header("X-Script-Version", s.version())
                .header("X-Script-Sha256", s.sha256())
                .eTag("\"" + s.sha256() + "\"")
                .body(s.yaml().getBytes(StandardCharsets.UTF_8));
    }

    @PostMapping(path = "/{scriptId}/dry-run", consumes = MediaType.APPLICATION_JSON_VALUE)
    DryRunResult dryRun(@PathVariable String scriptId, @RequestBody DryRunRequest request) {
        StoredScript stored = store.get(scriptId, Optional.ofNullable(request.version()));
        ScriptEngine engine = new ScriptEngine(ScriptParser.parse(stored.yaml()));
        DryRunEvent e = request.event();
        if (e == null || e.type() == null) {
            throw new InvalidInputException("event.type", "is required: message or new_member");
        }
        Event.Type type = switch (e.type()) {
            case "message" -> Event.Type.MESSAGE;
            case "new_member" -> Event.Type.NEW_MEMBER;
            default -> throw new InvalidInputException("event.type", "must be message or new_member");
        };
        if (type == Event.Type.MESSAGE && (e.text() == null || e.text().isEmpty())) {
            throw new InvalidInputException("event.text", "is required for a message");
        }
        Event event = new Event(
                type,
                e.chatId() == null ? 0 : e.chatId(),
                e.chatTitle(),
                1,
                e.firstName(),
                e.lastName(),
                e.username(),
                e.text(),
                Boolean.TRUE.equals(e.mentionsMe()),
                Boolean.TRUE.equals(e.replyToMe()));
        long now = System.currentTimeMillis();
        ChatState state;
        try {
            state = request.state() == null
                    ? new ChatState()
                    : ChatState.at(
                            engine, request.state().scene(), request.state().variables(), now);
        } catch (IllegalArgumentException ex) {
            throw new InvalidInputException("state.scene", ex.getMessage());
        }
        SplittableRandom random = new SplittableRandom(request.seed() == null ? now : request.seed());
        Optional<Decision> decision = engine.decide(state, event, now, random);
        Script script = engine.script();
        if (decision.isEmpty()) {
            return new DryRunResult(
                    stored.scriptId(),
                    stored.version(),
                    false,
                    null,
                    null,
                    null,
                    null,
                    null,
                    List.of(),
                    state.sceneId(engine),
                    state.variables(),
                    "no scene fires for this event in this state");
        }
        Decision d = decision.get();
        String action = switch (d.kind()) {
            case SEND -> "send";
            case AI_GENERATE -> "ai_generate";
            case PLAY -> "play";
        };
        String note = switch (d.kind()) {
            case SEND ->
                "the account would send this text"
                        + (d.delaySeconds() > 0 ? " after " + d.delaySeconds() + " s" : "")
                        + ", within the script's reply rate, cooldown and caps";
            case AI_GENERATE ->
                "the prompt would go to the AI routing pool (AI_ROUTER_URL on the node);"
                        + " without one the node logs that ai_generate is not configured and sends nothing";
            case PLAY -> "a multi-account scene: each line is said by an account playing its role";
        };
        List<DryRunLine> lines = d.lines().stream()
                .map(l -> new DryRunLine(
                        l.role(), script.roles().getOrDefault(l.role(), List.of()), l.text(), l.delaySeconds()))
                .toList();
        return new DryRunResult(
                stored.scriptId(),
                stored.version(),
                true,
                d.sceneId(),
                action,
                d.text(),
                d.aiPrompt(),
                d.kind() == Decision.Kind.PLAY ? null : d.delaySeconds(),
                lines,
                d.nextScene(),
                new LinkedHashMap<>(state.variables()),
                note);
    }

    /** The path of a script, its id percent-encoded (ids may be Chinese, as the seeds' are). */
    static String base(String scriptId) {
        return "/api/v1/group-ai/scripts/" + UriUtils.encodePathSegment(scriptId, StandardCharsets.UTF_8);
    }

    /** What nodes fetch: GET .../{script_id}/download?version=. */
    static String downloadPath(String scriptId, String version) {
        return base(scriptId) + "/download?version=" + UriUtils.encodeQueryParam(version, StandardCharsets.UTF_8);
    }

    private static ScriptView view(StoredScript s, List<String> versions) {
        return new ScriptView(
                s.scriptId(),
                s.version(),
                s.description(),
                s.sha256(),
                s.sceneCount(),
                s.createdAt(),
                downloadPath(s.scriptId(), s.version()),
                versions);
    }
}
