package io.groupai.fleet.rebalance;

import java.util.List;

/**
 * The fewest moves by trying every final layout of the eligible servers (small fleets only): the
 * reference the planner is checked against. Same rules as the planner, written the obvious way.
 */
final class BruteForce {

    private BruteForce() {}

    static boolean slow(FleetServer s, RebalanceSettings settings) {
        return s.latencyMillis() != null && s.latencyMillis() > settings.slowMillis();
    }

    static boolean eligible(FleetServer s, RebalanceSettings settings) {
        return !s.down() && s.eligible() && !slow(s, settings) && s.maxAccounts() > 0;
    }

    static int cap(FleetServer s, RebalanceSettings settings) {
        return slow(s, settings) ? s.maxAccounts() * settings.slowCapacityPercent() / 100 : s.maxAccounts();
    }

    /** -1 when the eligible servers have no room for what must leave the others. */
    static int minimumMoves(List<FleetServer> fleet, RebalanceSettings settings) {
        List<FleetServer> eligible =
                fleet.stream().filter(s -> eligible(s, settings)).toList();
        int arriving = fleet.stream()
                .filter(s -> !s.down() && !eligible(s, settings))
                .mapToInt(s -> Math.max(0, s.count() - cap(s, settings)))
                .sum();
        int total = eligible.stream().mapToInt(FleetServer::count).sum() + arriving;
        int capacity = eligible.stream().mapToInt(FleetServer::maxAccounts).sum();
        if (total > capacity || (arriving > 0 && eligible.isEmpty())) {
            return -1;
        }
        int[] c = eligible.stream().mapToInt(FleetServer::maxAccounts).toArray();
        int[] n = eligible.stream().mapToInt(FleetServer::count).toArray();
        // Smallest reachable spread in thousandths (rounded up), at least the threshold.
        long[] best = {Long.MAX_VALUE, Long.MAX_VALUE};
        int[] m = new int[c.length];
        enumerate(c, m, 0, total, () -> best[0] = Math.min(best[0], spreadThousandths(c, m)));
        long target = Math.max(10L * settings.thresholdPercent(), best[0]);
        // The current layout is kept when nothing triggers (spread within the threshold, no excess).
        enumerate(c, m, 0, total, () -> {
            if (spreadThousandths(c, m) <= target) {
                int moves = arriving;
                for (int i = 0; i < c.length; i++) {
                    moves += Math.max(0, n[i] - m[i]);
                }
                best[1] = Math.min(best[1], moves);
            }
        });
        return (int) best[1];
    }

    private static void enumerate(int[] c, int[] m, int i, int left, Runnable visit) {
        if (i == c.length) {
            if (left == 0) {
                visit.run();
            }
            return;
        }
        for (int k = 0; k <= Math.min(c[i], left); k++) {
            m[i] = k;
            enumerate(c, m, i + 1, left - k, visit);
        }
    }

    /** ceil(1000 · (max usage − min usage)), exactly. */
    private static long spreadThousandths(int[] c, int[] m) {
        long best = 0;
        for (int a = 0; a < c.length; a++) {
            for (int b = 0; b < c.length; b++) {
                long num = 1000L * ((long) m[a] * c[b] - (long) m[b] * c[a]);
                long den = (long) c[a] * c[b];
                if (num > 0) {
                    best = Math.max(best, Math.ceilDiv(num, den));
                }
            }
        }
        return best;
    }
}
