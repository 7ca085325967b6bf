package io.groupai.fleet.workflows.reconcile;

/**
 * The {@code progress} query of {@link ReconcileWorkflow} (totals across its pages) and of
 * {@link ReconcileChunkWorkflow} (its page).
 *
 * @param phase        listing, comparing, confirming (drifts checked again), repairing or done; a paged run:
 *                     listing (reading the next page of servers), reconciling (a page runs) or done
 * @param servers      servers compared
 * @param drifts       drifts found
 * @param repaired     repairs done so far
 * @param failed       repairs that failed so far
 * @param totalServers servers the run compares in all
 * @param pages        pages done
 */
public record ReconcileProgress(
        String phase, int servers, int drifts, int repaired, int failed, int totalServers, int pages) {}
