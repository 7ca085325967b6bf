package io.groupai.fleet.workflows.rebalance;

import java.util.List;

/**
 * What a rebalance would do: the triggers found, the moves that fix them (as few as possible), and
 * what it leaves alone.
 *
 * @param minimumMoves        the fewest moves that fix every trigger (an exact search over usage bands);
 *                            {@code moves} has this many unless {@code max_moves} deferred some
 * @param lowerBound          an independent lower bound on that minimum (the bands that contain the
 *                            fleet's mean usage), shown for comparison
 * @param thresholdPercent    the spread threshold asked for, in percentage points
 * @param targetSpreadPercent the spread the moves aim for: the threshold, or more where the servers'
 *                            capacities leave no layout within it (e.g. 1 account on two servers of 3)
 * @param spreadBeforePercent spread among eligible servers now
 * @param spreadAfterPercent  spread among eligible servers once the moves are done
 * @param plannerMillis       how long planning took
 * @param maxParallel         migrations at once when the plan runs
 * @param maxPerServer        migrations at once that touch one server
 */
public record RebalancePlan(
        List<RebalanceTrigger> triggers,
        List<RebalanceMove> moves,
        List<RebalanceSkip> skipped,
        int minimumMoves,
        int lowerBound,
        int thresholdPercent,
        double targetSpreadPercent,
        double spreadBeforePercent,
        double spreadAfterPercent,
        long plannerMillis,
        int maxParallel,
        int maxPerServer,
        String message) {

    public RebalancePlan {
        triggers = List.copyOf(triggers);
        moves = List.copyOf(moves);
        skipped = List.copyOf(skipped);
    }
}
