package io.groupai.fleet.app.supervision;

import io.groupai.fleet.registry.ServerChangedEvent;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.supervision.SupervisionProperties;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.supervision.NodeSupervisorWorkflow;
import io.groupai.fleet.workflows.supervision.SupervisionState;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Keeps one {@link NodeSupervisorWorkflow} ({@code node-<nodeId>}) running per registered server:
 * started for every server when the app is ready (the embedded Temporal server forgets its
 * workflows on restart; a real cluster keeps them, and the start is then a no-op) and when a
 * server is registered. A deleted server's supervisor ends at its next check, which a signal
 * brings forward.
 */
@Component
class NodeSupervisors {

    private static final Logger log = LoggerFactory.getLogger(NodeSupervisors.class);

    private final WorkflowClient client;
    private final ServerRepository servers;
    private final SupervisionProperties properties;

    NodeSupervisors(WorkflowClient client, ServerRepository servers, SupervisionProperties properties) {
        this.client = client;
        this.servers = servers;
        this.properties = properties;
    }

    @EventListener(ApplicationReadyEvent.class)
    void startAll() {
        if (!properties.enabled()) {
            log.info("node supervision is off (groupai.supervision.enabled=false)");
            return;
        }
        // Off the main thread: starting 1,000 supervisors takes a while (40 s on the embedded test server).
        Thread.ofVirtual().name("node-supervisors-start").start(this::startEach);
    }

    private void startEach() {
        int started = 0;
        for (var server : servers.findAll()) {
            if (ensure(server.nodeId())) {
                started++;
            }
        }
        log.info(
                "node supervision: {} supervisors started, {} servers registered",
                started,
                servers.findAll().size());
    }

    @TransactionalEventListener(fallbackExecution = true)
    void on(ServerChangedEvent event) {
        if (!properties.enabled()) {
            return;
        }
        if (servers.exists(event.nodeId())) {
            ensure(event.nodeId());
        } else {
            signal(event.nodeId());
        }
    }

    /**
     * Starts the server's supervisor unless it runs; true when this call started it. Not recorded in
     * workflow_runs like the operations the API starts: one runs per server for as long as it exists.
     */
    boolean ensure(String nodeId) {
        try {
            NodeSupervisorWorkflow stub = client.newWorkflowStub(
                    NodeSupervisorWorkflow.class,
                    WorkflowOptions.newBuilder()
                            .setWorkflowId(WorkflowIds.nodeSupervisor(nodeId))
                            .setTaskQueue(TaskQueues.CONTROL_PLANE)
                            .build());
            WorkflowClient.start(stub::supervise, SupervisionState.start(nodeId));
            return true;
        } catch (WorkflowExecutionAlreadyStarted alreadyRunning) {
            return false;
        } catch (RuntimeException e) {
            log.warn("server {}: supervisor not started: {}", nodeId, e.getMessage());
            return false;
        }
    }

    private void signal(String nodeId) {
        try {
            client.newWorkflowStub(NodeSupervisorWorkflow.class, WorkflowIds.nodeSupervisor(nodeId))
                    .checkNow();
        } catch (WorkflowNotFoundException e) {
            // nothing supervises it
        } catch (RuntimeException e) {
            log.debug("server {}: supervisor not signalled: {}", nodeId, e.getMessage());
        }
    }
}
