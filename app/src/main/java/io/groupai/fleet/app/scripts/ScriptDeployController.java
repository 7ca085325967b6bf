package io.groupai.fleet.app.scripts;

import io.groupai.fleet.app.workflows.StartedWorkflow;
import io.groupai.fleet.app.workflows.WorkflowLauncher;
import io.groupai.fleet.registry.FieldProblem;
import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.scriptstore.ScriptRepository;
import io.groupai.fleet.scriptstore.ScriptRepository.StoredScript;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.scripts.DeployScriptRequest;
import io.groupai.fleet.workflows.scripts.DeployScriptResult;
import io.groupai.fleet.workflows.scripts.DeployScriptWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * {@code POST /api/v1/group-ai/scripts/deploy {script_id, version?, node_ids[]}}: starts the
 * deployment workflow (install on every node in parallel, reload the accounts using the script,
 * update_script for heartbeat-only workers). Progress and the per-node result at the returned
 * {@code status_url}; with {@code ?wait_seconds=} the result comes in the answer when ready.
 */
@RestController
class ScriptDeployController {

    record DeployRequest(String scriptId, String version, List<String> nodeIds, Integer scheduleToStartSeconds) {}

    private final ScriptRepository store;
    private final ServerRepository servers;
    private final WorkflowLauncher launcher;
    private final WorkflowClient client;
    private final String publicUrl;

    ScriptDeployController(
            ScriptRepository store,
            ServerRepository servers,
            WorkflowLauncher launcher,
            WorkflowClient client,
            @Value("${groupai.public-url:}") String publicUrl) {
        this.store = store;
        this.servers = servers;
        this.launcher = launcher;
        this.client = client;
        this.publicUrl = publicUrl;
    }

    @PostMapping("/api/v1/group-ai/scripts/deploy")
    ResponseEntity<Map<String, Object>> deploy(
            @RequestBody DeployRequest request,
            @RequestParam(name = "wait_seconds", defaultValue = "0") int waitSeconds) {
        List<FieldProblem> problems = new ArrayList<>();
        if (request.scriptId() == null || request.scriptId().isBlank()) {
            problems.add(new FieldProblem("script_id", "is required"));
        }
        if (request.nodeIds() == null || request.nodeIds().isEmpty()) {
            problems.add(new FieldProblem("node_ids", "is required: the servers to install the script on"));
        }
        if (waitSeconds < 0 || waitSeconds > 300) {
            problems.add(new FieldProblem("wait_seconds", "must be between 0 and 300"));
        }
        if (request.scheduleToStartSeconds() != null
                && (request.scheduleToStartSeconds() < 1 || request.scheduleToStartSeconds() > 600)) {
            problems.add(new FieldProblem("schedule_to_start_seconds", "must be between 1 and 600"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        StoredScript script = store.get(request.scriptId(), Optional.ofNullable(request.version()));
        List<String> nodeIds = List.copyOf(new LinkedHashSet<>(request.nodeIds()));
        nodeIds.forEach(servers::get); // 404 naming an unknown server
        String path = ScriptController.downloadPath(script.scriptId(), script.version());
        String base = publicUrl.isBlank()
                ? ServletUriComponentsBuilder.fromCurrentContextPath().toUriString()
                : publicUrl;
        DeployScriptRequest input = new DeployScriptRequest(
                script.scriptId(),
                script.version(),
                script.sha256(),
                path,
                base + path,
                nodeIds,
                request.scheduleToStartSeconds());
        StartedWorkflow started = launcher.start(
                DeployScriptWorkflow.class,
                WorkflowIds.deploy(script.scriptId(), script.version()),
                "script:" + script.scriptId(),
                w -> w::deploy,
                input);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("workflow_id", started.workflowId());
        body.put("status_url", started.statusUrl());
        body.put("script_id", script.scriptId());
        body.put("version", script.version());
        body.put("sha256", script.sha256());
        body.put("node_ids", nodeIds);
        if (waitSeconds > 0) {
            try {
                DeployScriptResult result = WorkflowStub.fromTyped(
                                client.newWorkflowStub(DeployScriptWorkflow.class, started.workflowId()))
                        .getResult(waitSeconds, TimeUnit.SECONDS, DeployScriptResult.class);
                body.put("result", result);
                return ResponseEntity.ok(body);
            } catch (TimeoutException e) {
                // Still running: the caller follows status_url.
            }
        }
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(body);
    }
}
