package io.groupai.fleet.workflows.nodes;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * Brings a new server into the fleet: upload the worker-node distribution and its config, start
 * it through its pid file, and wait until the agent polls the node's own task queue.
 * Workflow id {@code bootstrap-<nodeId>}.
 */
@WorkflowInterface
public interface BootstrapNodeWorkflow {

    @WorkflowMethod
    BootstrapResult run(BootstrapRequest request);

    @QueryMethod
    List<StepProgress> progress();
}
