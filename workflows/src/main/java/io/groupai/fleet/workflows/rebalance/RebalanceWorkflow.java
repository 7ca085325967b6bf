package io.groupai.fleet.workflows.rebalance;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Evens out the fleet (seed §2.2): plans the fewest moves that fix servers over capacity, servers
 * answering slower than the threshold and a usage spread above the threshold (an activity), then —
 * unless it is a dry run — runs each as a {@code MigrateAccountWorkflow} child ({@code account-<id>},
 * reason "rebalance"), a bounded number at once and by default one at a time per server. A failed
 * move is reported and does not stop the others; the workflow then ends FAILED (type
 * {@code RebalanceIncomplete}, the report in its details), so a failure shows in Temporal.
 * Ids: {@code rebalance-scheduled} (Schedule or cron), {@code rebalance-now} (on demand).
 */
@WorkflowInterface
public interface RebalanceWorkflow {

    @WorkflowMethod
    RebalanceReport rebalance(RebalanceRequest request);

    @QueryMethod
    RebalanceReport progress();
}
