package io.groupai.fleet.app.rebalance;

import io.groupai.fleet.app.workflows.StartedWorkflow;
import io.groupai.fleet.app.workflows.WorkflowLauncher;
import io.groupai.fleet.rebalance.RebalanceService;
import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.registry.NotFoundException;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.rebalance.RebalancePlan;
import io.groupai.fleet.workflows.rebalance.RebalanceReport;
import io.groupai.fleet.workflows.rebalance.RebalanceRequest;
import io.groupai.fleet.workflows.rebalance.RebalanceWorkflow;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import java.util.regex.Pattern;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Rebalance on demand. {@code POST /api/v1/group-ai/rebalance} with {@code {"dry_run": true}} answers the
 * plan at once and moves nothing; with {@code false} it starts {@code rebalance-now} and answers its id.
 * {@code GET .../rebalance/plan} is the same dry run for viewers; {@code GET .../rebalance/{workflowId}}
 * follows a run (planned, moved, failed, skipped with reasons).
 */
@RestController
class RebalanceController {

    private static final Pattern REBALANCE_ID = Pattern.compile("rebalance-[A-Za-z0-9._:-]{1,200}");

    private final RebalanceService service;
    private final WorkflowLauncher launcher;
    private final WorkflowClient client;

    RebalanceController(RebalanceService service, WorkflowLauncher launcher, WorkflowClient client) {
        this.service = service;
        this.launcher = launcher;
        this.client = client;
    }

    /**
     * {@code dry_run} is required and must be a JSON boolean (read as Object: Jackson would take 0 for
     * false and start a run): an empty or sloppy body must not move accounts.
     */
    record RebalanceBody(
            Object dryRun, Integer thresholdPercent, Integer maxMoves, Integer maxParallel, Integer maxPerServer) {}

    /** A dry run's answer (200) or a started run's (202: {@code workflow_id}, {@code progress_url}). */
    record RebalanceResponse(
            boolean dryRun, RebalancePlan plan, String workflowId, String statusUrl, String progressUrl) {}

    /** A run's progress: Temporal's status, and the report (planned, moved, failed, skipped with reasons). */
    record RebalanceProgressView(String workflowId, String status, RebalanceReport report, String failure) {}

    @PostMapping("/api/v1/group-ai/rebalance")
    ResponseEntity<RebalanceResponse> rebalance(@RequestBody(required = false) RebalanceBody body) {
        if (body == null || !(body.dryRun() instanceof Boolean dryRun)) {
            throw new InvalidInputException(
                    "dry_run",
                    "required, true or false: true returns the plan and moves nothing, false starts the rebalance");
        }
        RebalanceRequest request = new RebalanceRequest(
                dryRun, body.thresholdPercent(), body.maxMoves(), body.maxParallel(), body.maxPerServer());
        validate(request);
        if (dryRun) {
            return ResponseEntity.ok(new RebalanceResponse(true, service.plan(request), null, null, null));
        }
        StartedWorkflow started = launcher.start(
                RebalanceWorkflow.class, WorkflowIds.rebalanceNow(), "fleet", w -> w::rebalance, request);
        return ResponseEntity.accepted()
                .body(new RebalanceResponse(
                        false,
                        null,
                        started.workflowId(),
                        started.statusUrl(),
                        "/api/v1/group-ai/rebalance/" + started.workflowId()));
    }

    /** The dry run as a read, for viewers. */
    @GetMapping("/api/v1/group-ai/rebalance/plan")
    RebalanceResponse plan(
            @RequestParam(name = "threshold_percent", required = false) Integer thresholdPercent,
            @RequestParam(name = "max_moves", required = false) Integer maxMoves) {
        RebalanceRequest request = new RebalanceRequest(true, thresholdPercent, maxMoves, null, null);
        validate(request);
        return new RebalanceResponse(true, service.plan(request), null, null, null);
    }

    @GetMapping("/api/v1/group-ai/rebalance/{workflowId}")
    RebalanceProgressView progress(@PathVariable String workflowId) {
        if (!REBALANCE_ID.matcher(workflowId).matches()) {
            throw new NotFoundException("'" + workflowId + "' is not a rebalance (their ids start with rebalance-)");
        }
        WorkflowExecutionStatus status;
        try {
            status = client.getWorkflowServiceStubs()
                    .blockingStub()
                    .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                            .setNamespace(client.getOptions().getNamespace())
                            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                            .build())
                    .getWorkflowExecutionInfo()
                    .getStatus();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                throw new NotFoundException("rebalance '" + workflowId + "' is not known to Temporal");
            }
            throw e;
        }
        var stub = client.newUntypedWorkflowStub(workflowId);
        RebalanceReport report = stub.query("progress", RebalanceReport.class);
        String failure = null;
        if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED) {
            try {
                stub.getResult(RebalanceReport.class);
            } catch (WorkflowFailedException e) {
                failure = e.getCause() instanceof ApplicationFailure app ? app.getOriginalMessage() : e.getMessage();
            }
        }
        return new RebalanceProgressView(
                workflowId, status.name().replace("WORKFLOW_EXECUTION_STATUS_", ""), report, failure);
    }

    private void validate(RebalanceRequest request) {
        try {
            service.settings(request);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            throw new InvalidInputException(message.substring(0, message.indexOf(' ')), message);
        }
    }
}
