package io.groupai.fleet.workflows.rebalance;

/**
 * Input of {@link RebalanceWorkflow}, e.g. {@code {}} (the configured defaults) or
 * {@code {"dryRun":true,"thresholdPercent":20,"maxMoves":50}}. Null fields take the control plane's
 * configuration ({@code groupai.rebalance}).
 *
 * @param dryRun           plan only: nothing moves
 * @param thresholdPercent largest usage spread (percentage points between the most and the least
 *                         used eligible server) left alone
 * @param maxMoves         at most this many moves in one run; the rest wait for the next run
 * @param maxParallel      migrations at once
 * @param maxPerServer     migrations at once that touch one server (as source or target)
 */
public record RebalanceRequest(
        boolean dryRun, Integer thresholdPercent, Integer maxMoves, Integer maxParallel, Integer maxPerServer) {

    /** The configured defaults, moving accounts: what the schedule runs. */
    public static RebalanceRequest scheduled() {
        return new RebalanceRequest(false, null, null, null, null);
    }
}
