package io.groupai.fleet.app.supervision;

import io.groupai.fleet.app.workflows.StartedWorkflow;
import io.groupai.fleet.app.workflows.WorkflowLauncher;
import io.groupai.fleet.registry.ServerRecord;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.supervision.NodeHealthStore;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.supervision.FailoverRequest;
import io.groupai.fleet.workflows.supervision.FailoverWorkflow;
import io.groupai.fleet.workflows.supervision.NodeHealth;
import io.groupai.fleet.workflows.supervision.NodeSupervisorWorkflow;
import io.temporal.client.WorkflowClient;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Node supervision over REST: a server's health and recent history, the servers that are down
 * (alerts), and failover on demand.
 */
@RestController
class SupervisionController {

    /**
     * @param state       unknown, up, suspect or down (the running supervisor's, else the last one stored)
     * @param supervisor  running (its live state is shown) or not_running (the stored verdict only)
     * @param history     newest first, from the database
     */
    record HealthView(
            String nodeId,
            String state,
            String supervisor,
            Integer consecutiveFailures,
            Instant leaseExpiresAt,
            Instant lastHeartbeat,
            String lastProbe,
            String reason,
            String failoverWorkflowId,
            List<EventView> history) {}

    record EventView(Instant at, String nodeId, String state, String event, String detail) {}

    record AlertsView(List<DownServer> down, List<EventView> recent) {}

    record DownServer(String nodeId, String reason, String healthUrl) {}

    record FailoverBody(String reason, Integer parallelism) {}

    private final ServerRepository servers;
    private final NodeHealthStore health;
    private final WorkflowClient client;
    private final WorkflowLauncher launcher;
    private final org.springframework.jdbc.core.simple.JdbcClient jdbc;

    SupervisionController(
            ServerRepository servers,
            NodeHealthStore health,
            WorkflowClient client,
            WorkflowLauncher launcher,
            org.springframework.jdbc.core.simple.JdbcClient jdbc) {
        this.servers = servers;
        this.health = health;
        this.client = client;
        this.launcher = launcher;
        this.jdbc = jdbc;
    }

    @GetMapping("/api/v1/group-ai/servers/{nodeId}/health")
    HealthView health(@PathVariable String nodeId) {
        ServerRecord server = servers.get(nodeId);
        String reason = jdbc.sql("SELECT supervision_reason FROM servers WHERE node_id = ?")
                .param(nodeId)
                .query(String.class)
                .optional()
                .orElse(null);
        List<EventView> history = health.recent(nodeId, 50).stream()
                .map(e -> new EventView(e.at(), e.nodeId(), e.state(), e.event(), e.detail()))
                .toList();
        NodeHealth live = null;
        try {
            live = client.newWorkflowStub(NodeSupervisorWorkflow.class, WorkflowIds.nodeSupervisor(nodeId))
                    .health();
        } catch (RuntimeException notRunning) {
            // not supervised (supervision off, or the supervisor ended): the stored verdict is all there is
        }
        return new HealthView(
                nodeId,
                live != null ? live.state() : server.supervision() == null ? "unknown" : server.supervision(),
                live != null ? "running" : "not_running",
                live == null ? null : live.consecutiveFailures(),
                server.leaseExpiresAt(),
                server.lastHeartbeat(),
                live == null ? null : live.lastProbe(),
                reason,
                live == null ? null : live.failoverWorkflowId(),
                history);
    }

    @GetMapping("/api/v1/group-ai/supervision/alerts")
    AlertsView alerts() {
        List<DownServer> down = health.downServers().stream()
                .map(id -> new DownServer(
                        id,
                        jdbc.sql("SELECT supervision_reason FROM servers WHERE node_id = ?")
                                .param(id)
                                .query(String.class)
                                .optional()
                                .orElse(null),
                        "/api/v1/group-ai/servers/" + id + "/health"))
                .toList();
        List<EventView> recent = health.recentAll(50).stream()
                .map(e -> new EventView(e.at(), e.nodeId(), e.state(), e.event(), e.detail()))
                .toList();
        return new AlertsView(down, recent);
    }

    /** Moves every account off the server (fenced: only once its lease has expired plus the margin). */
    @PostMapping("/api/v1/group-ai/servers/{nodeId}/failover")
    ResponseEntity<StartedWorkflow> failover(
            @PathVariable String nodeId, @RequestBody(required = false) FailoverBody body) {
        servers.get(nodeId);
        int parallelism = body == null || body.parallelism() == null ? 0 : body.parallelism();
        if (parallelism < 0 || parallelism > 64) {
            throw new io.groupai.fleet.registry.InvalidInputException(
                    "parallelism", "must be between 1 and 64 (migrations at once); leave it out for 4");
        }
        StartedWorkflow started = launcher.start(
                FailoverWorkflow.class,
                WorkflowIds.failover(nodeId),
                "server:" + nodeId,
                w -> w::failover,
                new FailoverRequest(nodeId, body == null ? "on demand" : body.reason(), parallelism));
        return ResponseEntity.accepted()
                .location(URI.create(started.statusUrl()))
                .body(started);
    }
}
