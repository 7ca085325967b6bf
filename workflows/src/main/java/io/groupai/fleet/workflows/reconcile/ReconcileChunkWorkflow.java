package io.groupai.fleet.workflows.reconcile;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One page of servers of a {@link ReconcileWorkflow} run, a child of it: lists its nodes, reads the rows
 * of its servers, finds and repairs their drifts as the whole run did before it was paged, and returns a
 * bounded {@link ReconcileReport} (totals, capped lists).
 */
@WorkflowInterface
public interface ReconcileChunkWorkflow {

    @WorkflowMethod
    ReconcileReport reconcile(ReconcileChunkRequest request);

    @QueryMethod
    ReconcileProgress progress();
}
