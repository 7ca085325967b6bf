package io.groupai.fleet.workflows.reconcile;

/**
 * Where a paged {@link ReconcileWorkflow} run continues as new: after which server, how many pages are done,
 * and the report so far (totals and capped lists).
 */
public record ReconcileContinuation(String afterNodeId, int pages, int totalServers, ReconcileReport report) {}
