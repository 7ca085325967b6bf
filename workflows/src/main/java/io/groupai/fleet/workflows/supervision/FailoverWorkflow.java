package io.groupai.fleet.workflows.supervision;

import io.groupai.fleet.workflows.nodes.StepProgress;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * Moves every account off a server that is down. Id {@code failover-<nodeId>}, queue
 * {@code control-plane}; started by the node's supervisor, or by an operator.
 *
 * <p>Fencing first: nothing starts elsewhere until the node's lease has expired plus a margin (its
 * agent stops its accounts when the lease runs out, whether or not the control plane can reach it).
 * Then one {@code MigrateAccountWorkflow} per account ({@code account-<accountId>}), a bounded
 * number at a time, each choosing the best healthy server with room; an account that finds none
 * is reported, not dropped, and stays assigned to the down server.
 */
@WorkflowInterface
public interface FailoverWorkflow {

    @WorkflowMethod
    FailoverResult failover(FailoverRequest request);

    @QueryMethod
    List<StepProgress> progress();
}
