package io.groupai.fleet.workflows.reconcile;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Compares, for every server, the accounts the database assigns to it, the accounts its node
 * reports running and the session directories on its disk, and repairs each difference with a
 * defined, logged action (or, with {@code dryRun}, only reports them). Runs on a schedule and on
 * demand; see {@link DriftDetector} for the rules. It pages through the servers, one child
 * {@link ReconcileChunkWorkflow} per page, and returns a bounded report (see {@link ReconcileReports});
 * {@code progress} adds up the pages done.
 */
@WorkflowInterface
public interface ReconcileWorkflow {

    @WorkflowMethod
    ReconcileReport reconcile(ReconcileRequest request);

    @QueryMethod
    ReconcileProgress progress();
}
