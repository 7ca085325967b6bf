package io.groupai.fleet.reconcile;

import io.groupai.fleet.workflows.reconcile.AccountRow;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import java.time.Instant;
import org.springframework.stereotype.Component;

/**
 * Asks Temporal about the workflow that holds an account (its operation id is that workflow's id):
 * still running (since when), closed (how), or unknown to the server (an embedded test server that
 * restarted, or a workflow deleted by retention).
 */
@Component
public class OperationStates {

    /** {@code status}: RUNNING, NOT_FOUND or the closed status (COMPLETED, FAILED, TERMINATED, ...). */
    public record State(String status, Instant startedAt) {}

    private final WorkflowClient client;

    public OperationStates(WorkflowClient client) {
        this.client = client;
    }

    public State of(String workflowId) {
        try {
            WorkflowExecutionInfo info = client.getWorkflowServiceStubs()
                    .blockingStub()
                    .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                            .setNamespace(client.getOptions().getNamespace())
                            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                            .build())
                    .getWorkflowExecutionInfo();
            WorkflowExecutionStatus status = info.getStatus();
            String name = status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
                    ? AccountRow.RUNNING
                    : status.name().replace("WORKFLOW_EXECUTION_STATUS_", "");
            Instant started = Instant.ofEpochSecond(
                    info.getStartTime().getSeconds(), info.getStartTime().getNanos());
            return new State(name, started);
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return new State(AccountRow.NOT_FOUND, null);
            }
            throw e;
        }
    }
}
