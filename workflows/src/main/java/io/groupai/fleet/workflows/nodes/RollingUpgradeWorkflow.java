package io.groupai.fleet.workflows.nodes;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * Upgrades worker nodes to the distribution the control plane carries: a canary first, then the rest
 * in batches. A server whose new agent or accounts do not come back healthy is rolled back to the
 * agent it had, the rollout stops there, and the workflow fails naming the server and the step.
 */
@WorkflowInterface
public interface RollingUpgradeWorkflow {

    @WorkflowMethod
    RollingUpgradeResult run(RollingUpgradeRequest request);

    /** Every server's state, in upgrade order. */
    @QueryMethod
    List<ServerUpgrade> progress();
}
