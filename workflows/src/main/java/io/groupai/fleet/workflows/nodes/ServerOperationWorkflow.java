package io.groupai.fleet.workflows.nodes;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * Start / stop / restart / status of a node's worker process over SSH, through its pid file.
 * Runs on the control-plane queue; workflow id {@code server-op-<nodeId>}, so one operation per
 * node at a time.
 */
@WorkflowInterface
public interface ServerOperationWorkflow {

    @WorkflowMethod
    ServerOperationResult run(ServerOperationRequest request);

    @QueryMethod
    List<StepProgress> progress();
}
