package io.groupai.fleet.app.nodes;

import io.groupai.fleet.app.workflows.StartedWorkflow;
import io.groupai.fleet.app.workflows.WorkflowLauncher;
import io.groupai.fleet.registry.FieldProblem;
import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.registry.ServerRecord;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.registry.ServerStatus;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.nodes.RollingUpgradeRequest;
import io.groupai.fleet.workflows.nodes.RollingUpgradeWorkflow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/group-ai/upgrades {node_ids?, batch_size?, health_timeout_seconds?}}: upgrades
 * the worker nodes to the distribution this control plane carries, canary first (the first node),
 * then in batches, rolling a server back when its agent or accounts do not come back. Without
 * {@code node_ids}: every active server, by node id. One rollout at a time ({@code rolling-upgrade}).
 */
@RestController
class RollingUpgradeController {

    record UpgradeRequest(List<String> nodeIds, Integer batchSize, Integer healthTimeoutSeconds) {}

    private final ServerRepository servers;
    private final WorkflowLauncher launcher;

    RollingUpgradeController(ServerRepository servers, WorkflowLauncher launcher) {
        this.servers = servers;
        this.launcher = launcher;
    }

    @PostMapping("/api/v1/group-ai/upgrades")
    ResponseEntity<Map<String, Object>> upgrade(@RequestBody(required = false) UpgradeRequest request) {
        UpgradeRequest r = request == null ? new UpgradeRequest(null, null, null) : request;
        List<FieldProblem> problems = new ArrayList<>();
        if (r.batchSize() != null && (r.batchSize() < 1 || r.batchSize() > 100)) {
            problems.add(new FieldProblem("batch_size", "must be between 1 and 100"));
        }
        if (r.healthTimeoutSeconds() != null && (r.healthTimeoutSeconds() < 5 || r.healthTimeoutSeconds() > 3600)) {
            problems.add(new FieldProblem("health_timeout_seconds", "must be between 5 and 3600"));
        }
        if (r.nodeIds() != null && r.nodeIds().stream().anyMatch(id -> id == null || id.isBlank())) {
            problems.add(new FieldProblem("node_ids", "must not contain empty ids"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        List<String> nodeIds;
        if (r.nodeIds() == null || r.nodeIds().isEmpty()) {
            nodeIds = servers.findAll().stream()
                    .filter(s -> s.status() == ServerStatus.ACTIVE)
                    .map(ServerRecord::nodeId)
                    .sorted()
                    .toList();
            if (nodeIds.isEmpty()) {
                throw new InvalidInputException(List.of(new FieldProblem(
                        "node_ids", "no active server to upgrade; register and bootstrap servers first")));
            }
        } else {
            nodeIds = List.copyOf(new LinkedHashSet<>(r.nodeIds()));
            nodeIds.forEach(servers::get); // 404 naming an unknown server
        }
        RollingUpgradeRequest input = new RollingUpgradeRequest(nodeIds, r.batchSize(), r.healthTimeoutSeconds());
        StartedWorkflow started = launcher.start(
                RollingUpgradeWorkflow.class,
                WorkflowIds.rollingUpgrade(),
                "servers:" + String.join(",", nodeIds.subList(0, Math.min(5, nodeIds.size())))
                        + (nodeIds.size() > 5 ? ",..." : ""),
                w -> w::run,
                input);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("workflow_id", started.workflowId());
        body.put("status_url", started.statusUrl());
        body.put("canary", nodeIds.get(0));
        body.put("node_ids", nodeIds);
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(body);
    }
}
