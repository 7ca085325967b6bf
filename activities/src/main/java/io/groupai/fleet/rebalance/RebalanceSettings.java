package io.groupai.fleet.rebalance;

/**
 * What one planning run uses.
 *
 * @param thresholdPercent    largest usage spread (percentage points) left alone
 * @param slowMillis          a server whose last probe answered slower than this is slow
 * @param slowCapacityPercent a slow server keeps at most this share of its max_accounts
 * @param maxMoves            at most this many moves per run (0: no limit)
 * @param maxParallel         migrations at once
 * @param maxPerServer        migrations at once touching one server
 */
public record RebalanceSettings(
        int thresholdPercent,
        long slowMillis,
        int slowCapacityPercent,
        int maxMoves,
        int maxParallel,
        int maxPerServer) {

    public RebalanceSettings {
        if (thresholdPercent < 0 || thresholdPercent > 100) {
            throw new IllegalArgumentException("thresholdPercent must be between 0 and 100, was " + thresholdPercent);
        }
        if (slowCapacityPercent < 0 || slowCapacityPercent > 100) {
            throw new IllegalArgumentException("slowCapacityPercent must be between 0 and 100");
        }
        if (maxMoves < 0 || maxParallel < 1 || maxPerServer < 1 || slowMillis < 1) {
            throw new IllegalArgumentException("maxMoves >= 0, maxParallel, maxPerServer and slowMillis >= 1");
        }
    }

    /** The seed's defaults: 30 % spread, 2 s, slow servers keep half, no move limit, 4 at once, 1 per server. */
    public static RebalanceSettings defaults() {
        return new RebalanceSettings(30, 2000, 50, 0, 4, 1);
    }

    public RebalanceSettings withThreshold(int percent) {
        return new RebalanceSettings(percent, slowMillis, slowCapacityPercent, maxMoves, maxParallel, maxPerServer);
    }

    public RebalanceSettings withMaxMoves(int moves) {
        return new RebalanceSettings(
                thresholdPercent, slowMillis, slowCapacityPercent, moves, maxParallel, maxPerServer);
    }
}
