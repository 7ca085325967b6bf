package io.groupai.fleet.workflows.reconcile;

import java.util.List;

/**
 * Input of {@link ReconcileChunkWorkflow}: one page of a {@link ReconcileWorkflow} run.
 *
 * @param parentWorkflowId the run it belongs to
 * @param page             its number within the run (0 first)
 * @param serverIds        the servers it compares; it owns their accounts' rows (rules 1 and 3)
 * @param global           this page also judges what belongs to no server: orphaned operations of rows with
 *                         neither server nor reservation, and duplicate rows (the first page of a run)
 */
public record ReconcileChunkRequest(
        String parentWorkflowId, int page, boolean dryRun, List<String> serverIds, boolean global) {}
