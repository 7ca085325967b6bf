package io.groupai.fleet.workflows.reconcile;

import java.util.List;

/**
 * Result of {@link ReconcileWorkflow} and of each {@link ReconcileChunkWorkflow}: the servers with a problem
 * or a drift, the drifts and what became of them, and the totals. The lists are capped (see
 * {@link ReconcileReports}); the totals count everything, and every repair and alert is in the history.
 *
 * @param totals null only in the report of a run started before the reconciliation was paged
 */
public record ReconcileReport(
        boolean dryRun, List<NodeView> nodes, List<RepairOutcome> drifts, ReconcileTotals totals) {}
