package io.groupai.fleet.app.workflows;

import io.groupai.fleet.app.temporal.WorkflowMemo;
import io.groupai.fleet.app.temporal.WorkflowSearchAttributes;
import io.groupai.fleet.registry.ConflictException;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.WorkflowTypes;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.workflow.Functions;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Starts workflows for the REST API and records them. The workflow id names the entity it owns,
 * so Temporal refuses a second concurrent operation on it; that refusal becomes a 409.
 */
@Service
public class WorkflowLauncher {

    private static final Logger log = LoggerFactory.getLogger(WorkflowLauncher.class);

    private final WorkflowClient client;
    private final WorkflowRunRepository runs;
    private final WorkflowSearchAttributes searchAttributes;

    public WorkflowLauncher(
            WorkflowClient client, WorkflowRunRepository runs, WorkflowSearchAttributes searchAttributes) {
        this.client = client;
        this.runs = runs;
        this.searchAttributes = searchAttributes;
    }

    /**
     * Starts a workflow through a typed stub, on the control-plane task queue (the control-plane
     * worker runs every workflow the app starts), e.g.
     * {@code start(ServerOperationWorkflow.class, id, "server:worker-01", w -> w::run, request)}.
     *
     * @param workflow the {@code @WorkflowInterface}; its type name is recorded and returned
     * @param subject  what it operates on, e.g. "server:worker-01"
     * @param method   picks the workflow method on the stub
     * @param input    the single, secret-free argument
     */
    public <W, I> StartedWorkflow start(
            Class<W> workflow, String workflowId, String subject, Function<W, Functions.Func1<I, ?>> method, I input) {
        String workflowType = WorkflowTypes.of(workflow);
        W stub = client.newWorkflowStub(
                workflow,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(workflowId)
                        .setTaskQueue(TaskQueues.CONTROL_PLANE)
                        .setTypedSearchAttributes(searchAttributes.of(workflowType, input))
                        .setMemo(WorkflowMemo.of(workflowType, input, subject))
                        .build());
        WorkflowExecution execution;
        try {
            execution = WorkflowClient.start(method.apply(stub), input);
        } catch (WorkflowExecutionAlreadyStarted e) {
            throw new ConflictException("workflow " + workflowId + " is already running on " + subject
                    + "; wait for it to finish (GET " + statusUrl(workflowId) + ") before starting another");
        }
        runs.recordStart(workflowId, execution.getRunId(), workflowType, subject);
        log.info("started {} {} (run {}) for {}", workflowType, workflowId, execution.getRunId(), subject);
        return new StartedWorkflow(workflowId, execution.getRunId(), workflowType, statusUrl(workflowId));
    }

    /**
     * Starts a workflow that must run at most once per id, ever (a second request for the same event,
     * even after the first run closed, is not an error and starts nothing).
     *
     * @return empty when a run with this id was already started
     */
    public <W, I> java.util.Optional<StartedWorkflow> startOnce(
            Class<W> workflow, String workflowId, String subject, Function<W, Functions.Func1<I, ?>> method, I input) {
        String workflowType = WorkflowTypes.of(workflow);
        W stub = client.newWorkflowStub(
                workflow,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(workflowId)
                        .setTaskQueue(TaskQueues.CONTROL_PLANE)
                        .setWorkflowIdReusePolicy(
                                io.temporal.api.enums.v1.WorkflowIdReusePolicy
                                        .WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                        .setTypedSearchAttributes(searchAttributes.of(workflowType, input))
                        .setMemo(WorkflowMemo.of(workflowType, input, subject))
                        .build());
        WorkflowExecution execution;
        try {
            execution = WorkflowClient.start(method.apply(stub), input);
        } catch (WorkflowExecutionAlreadyStarted e) {
            return java.util.Optional.empty();
        }
        runs.recordStart(workflowId, execution.getRunId(), workflowType, subject);
        log.info("started {} {} (run {}) for {}", workflowType, workflowId, execution.getRunId(), subject);
        return java.util.Optional.of(
                new StartedWorkflow(workflowId, execution.getRunId(), workflowType, statusUrl(workflowId)));
    }

    public static String statusUrl(String workflowId) {
        return "/api/v1/group-ai/workflows/" + workflowId;
    }
}
