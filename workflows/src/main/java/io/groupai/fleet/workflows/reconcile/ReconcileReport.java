package io.groupai.fleet.workflows.reconcile;

import java.util.List;

/** Result of {@link ReconcileWorkflow}: what each server said, every drift found and what became of it. */
public record ReconcileReport(boolean dryRun, List<NodeView> nodes, List<RepairOutcome> drifts) {}
