package io.groupai.fleet.workflows.reconcile;

/**
 * The {@code progress} query of {@link ReconcileWorkflow}.
 *
 * @param phase    listing, comparing, confirming (drifts checked again), repairing or done
 * @param servers  servers compared
 * @param drifts   drifts found
 * @param repaired repairs done so far
 * @param failed   repairs that failed so far
 */
public record ReconcileProgress(String phase, int servers, int drifts, int repaired, int failed) {}
