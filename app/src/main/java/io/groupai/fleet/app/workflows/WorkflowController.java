package io.groupai.fleet.app.workflows;

import io.groupai.fleet.registry.NotFoundException;
import io.groupai.fleet.workflows.WorkflowTypes;
import io.groupai.fleet.workflows.allocation.AccountProgress;
import io.groupai.fleet.workflows.allocation.AllocationProgress;
import io.groupai.fleet.workflows.allocation.AllocationResult;
import io.groupai.fleet.workflows.allocation.MigrationResult;
import io.groupai.fleet.workflows.nodes.BootstrapResult;
import io.groupai.fleet.workflows.nodes.ServerOperationResult;
import io.groupai.fleet.workflows.nodes.StepProgress;
import io.groupai.fleet.workflows.reconcile.ReconcileProgress;
import io.groupai.fleet.workflows.reconcile.ReconcileReport;
import io.groupai.fleet.workflows.scripts.DeployScriptResult;
import io.groupai.fleet.workflows.scripts.NodeDeployState;
import io.groupai.fleet.workflows.scripts.SceneResult;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ResolvableType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Follow the workflows the app started: status from Temporal, progress from the workflow's query. */
@RestController
@RequestMapping("/api/v1/group-ai/workflows")
class WorkflowController {

    private static final Logger log = LoggerFactory.getLogger(WorkflowController.class);

    /** Result classes of our workflow types, so results render with the API's field names. */
    private static final Map<String, Class<?>> RESULT_TYPES = Map.ofEntries(
            Map.entry(WorkflowTypes.SERVER_OPERATION, ServerOperationResult.class),
            Map.entry(WorkflowTypes.BOOTSTRAP_NODE, BootstrapResult.class),
            Map.entry(WorkflowTypes.ALLOCATE_ACCOUNTS, AllocationResult.class),
            Map.entry(WorkflowTypes.ALLOCATE_CHUNK, AllocationResult.class),
            Map.entry(WorkflowTypes.MIGRATE_ACCOUNT, MigrationResult.class),
            Map.entry(WorkflowTypes.RECONCILE, ReconcileReport.class),
            Map.entry(WorkflowTypes.RECONCILE_CHUNK, ReconcileReport.class),
            Map.entry(WorkflowTypes.DEPLOY_SCRIPT, DeployScriptResult.class),
            Map.entry(WorkflowTypes.MULTI_ACCOUNT_SCENE, SceneResult.class),
            Map.entry(WorkflowTypes.FAILOVER, io.groupai.fleet.workflows.supervision.FailoverResult.class),
            Map.entry(WorkflowTypes.ROLLING_UPGRADE, io.groupai.fleet.workflows.nodes.RollingUpgradeResult.class),
            Map.entry(WorkflowTypes.REBALANCE, io.groupai.fleet.workflows.rebalance.RebalanceReport.class),
            Map.entry(WorkflowTypes.SESSION_BACKUP, io.groupai.fleet.workflows.backup.SessionBackupResult.class),
            Map.entry(WorkflowTypes.BACKUP_ACCOUNT, io.groupai.fleet.workflows.backup.AccountBackupOutcome.class),
            Map.entry(WorkflowTypes.RESTORE_SESSION, io.groupai.fleet.workflows.backup.RestoreResult.class));

    /** Our workflows' progress types, so they render with the API's snake_case names too. */
    private static final Map<String, Type> PROGRESS_TYPES = Map.ofEntries(
            Map.entry(WorkflowTypes.SERVER_OPERATION, listOf(StepProgress.class)),
            Map.entry(WorkflowTypes.BOOTSTRAP_NODE, listOf(StepProgress.class)),
            Map.entry(WorkflowTypes.ALLOCATE_ACCOUNTS, AllocationProgress.class),
            Map.entry(WorkflowTypes.ALLOCATE_CHUNK, listOf(AccountProgress.class)),
            Map.entry(WorkflowTypes.MIGRATE_ACCOUNT, listOf(StepProgress.class)),
            Map.entry(WorkflowTypes.RECONCILE, ReconcileProgress.class),
            Map.entry(WorkflowTypes.RECONCILE_CHUNK, ReconcileProgress.class),
            Map.entry(WorkflowTypes.DEPLOY_SCRIPT, listOf(NodeDeployState.class)),
            Map.entry(WorkflowTypes.MULTI_ACCOUNT_SCENE, listOf(StepProgress.class)),
            Map.entry(WorkflowTypes.FAILOVER, listOf(StepProgress.class)),
            Map.entry(WorkflowTypes.ROLLING_UPGRADE, listOf(io.groupai.fleet.workflows.nodes.ServerUpgrade.class)),
            Map.entry(WorkflowTypes.NODE_SUPERVISOR, io.groupai.fleet.workflows.supervision.NodeHealth.class),
            Map.entry(WorkflowTypes.REBALANCE, io.groupai.fleet.workflows.rebalance.RebalanceReport.class),
            Map.entry(WorkflowTypes.SESSION_BACKUP, io.groupai.fleet.workflows.backup.SessionBackupProgress.class),
            Map.entry(WorkflowTypes.BACKUP_ACCOUNT, listOf(StepProgress.class)),
            Map.entry(WorkflowTypes.RESTORE_SESSION, listOf(StepProgress.class)));

    private static Type listOf(Class<?> element) {
        return ResolvableType.forClassWithGenerics(List.class, element).getType();
    }

    /** {@code failure}: why a FAILED workflow failed (its own message, naming server and step), else null. */
    record WorkflowDetails(
            String workflowId,
            String runId,
            String workflowType,
            String subject,
            String status,
            Instant startedAt,
            Instant closedAt,
            Object progress,
            Object result,
            String failure) {}

    private final WorkflowClient client;
    private final WorkflowRunRepository runs;

    WorkflowController(WorkflowClient client, WorkflowRunRepository runs) {
        this.client = client;
        this.runs = runs;
    }

    /** Recent runs; those recorded as running are refreshed from Temporal first, so the list is current. */
    @GetMapping
    List<WorkflowRun> recent(
            @RequestParam(required = false) String subject, @RequestParam(defaultValue = "50") int limit) {
        List<WorkflowRun> recent = runs.recent(subject, Math.max(1, Math.min(limit, 500)));
        boolean refreshed = false;
        for (WorkflowRun run : recent) {
            if ("RUNNING".equals(run.status())) {
                refreshed |= refresh(run);
            }
        }
        return refreshed ? runs.recent(subject, Math.max(1, Math.min(limit, 500))) : recent;
    }

    private boolean refresh(WorkflowRun run) {
        try {
            WorkflowExecutionInfo info = describe(run.workflowId());
            String status = shortStatus(info.getStatus());
            if (!info.getExecution().getRunId().equals(run.runId()) || status.equals(run.status())) {
                return false;
            }
            runs.recordStatus(run.workflowId(), run.runId(), status, null, closeTime(info));
            return true;
        } catch (NotFoundException e) {
            runs.recordStatus(
                    run.workflowId(),
                    run.runId(),
                    "UNKNOWN",
                    "not known to Temporal (embedded server restarted?)",
                    null);
            return true;
        }
    }

    private static Instant closeTime(WorkflowExecutionInfo info) {
        return info.hasCloseTime()
                ? Instant.ofEpochSecond(
                        info.getCloseTime().getSeconds(), info.getCloseTime().getNanos())
                : null;
    }

    @GetMapping("/{workflowId}")
    WorkflowDetails details(@PathVariable String workflowId) {
        WorkflowExecutionInfo info = describe(workflowId);
        String status = shortStatus(info.getStatus());
        String type = info.getType().getName();
        String runId = info.getExecution().getRunId();
        Instant closedAt = closeTime(info);
        Optional<WorkflowRun> recorded = runs.latest(workflowId);
        recorded.filter(r -> r.runId().equals(runId) && !r.status().equals(status))
                .ifPresent(r -> runs.recordStatus(workflowId, runId, status, null, closedAt));

        WorkflowStub stub = client.newUntypedWorkflowStub(workflowId, Optional.of(runId), Optional.of(type));
        Object progress = query(stub, workflowId, PROGRESS_TYPES.get(type));
        if (progress instanceof AllocationProgress totals && totals.currentChunk() != null) {
            // Per-account detail lives in the chunk being worked on (a child workflow): shown with the totals.
            Object detail = query(
                    client.newUntypedWorkflowStub(totals.currentChunk()),
                    totals.currentChunk(),
                    PROGRESS_TYPES.get(WorkflowTypes.ALLOCATE_CHUNK));
            progress = detail instanceof List<?> accounts
                    ? totals.withChunkAccounts(
                            accounts.stream().map(AccountProgress.class::cast).toList())
                    : totals;
        }
        Object result = null;
        String failure = null;
        if (info.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
            result = stub.getResult(RESULT_TYPES.getOrDefault(type, Object.class));
        } else if (info.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED) {
            failure = failureOf(stub);
        }
        return new WorkflowDetails(
                workflowId,
                runId,
                type,
                recorded.map(WorkflowRun::subject).orElse(null),
                status,
                Instant.ofEpochSecond(
                        info.getStartTime().getSeconds(), info.getStartTime().getNanos()),
                closedAt,
                progress,
                result,
                failure);
    }

    private static String failureOf(WorkflowStub stub) {
        try {
            stub.getResult(Object.class);
            return null;
        } catch (WorkflowFailedException e) {
            return e.getCause() instanceof ApplicationFailure app
                    ? app.getOriginalMessage()
                    : e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
        }
    }

    private WorkflowExecutionInfo describe(String workflowId) {
        try {
            return client.getWorkflowServiceStubs()
                    .blockingStub()
                    .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                            .setNamespace(client.getOptions().getNamespace())
                            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                            .build())
                    .getWorkflowExecutionInfo();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                throw new NotFoundException(
                        "workflow '" + workflowId + "' is not known to Temporal"
                                + " (the embedded server forgets workflows when it restarts); list recent ones with GET /api/v1/group-ai/workflows");
            }
            throw e;
        }
    }

    /** Every workflow of ours answers a "progress" query; a failed query must not hide the status. */
    private static Object query(WorkflowStub stub, String workflowId, Type progressType) {
        try {
            return progressType == null
                    ? stub.query("progress", Object.class)
                    : stub.query(
                            "progress", ResolvableType.forType(progressType).toClass(), progressType);
        } catch (RuntimeException e) {
            log.debug("progress query of {} failed: {}", workflowId, e.toString());
            return null;
        }
    }

    private static String shortStatus(WorkflowExecutionStatus status) {
        return status.name().replace("WORKFLOW_EXECUTION_STATUS_", "");
    }
}
