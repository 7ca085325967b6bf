package io.groupai.fleet.allocation.planner;

/**
 * Load scores, 0–100, lower is better. Percentages are clamped to 0–100 so a bad probe reading cannot push
 * a score out of range. The account count passed in is what the planner counts (current + reserved +
 * planned); the one-argument forms use {@link ServerCandidate#committedAccounts()}.
 */
public final class LoadScore {

    private LoadScore() {}

    /** The seed's formula with the default weights: 0.3·cpu + 0.3·mem + 0.3·(accounts/max·100) + 0.1·disk. */
    public static double seed(ServerCandidate server) {
        return seed(server, server.committedAccounts(), PlannerWeights.defaults());
    }

    /** The seed's formula with the given weights. */
    public static double seed(ServerCandidate server, PlannerWeights w) {
        return seed(server, server.committedAccounts(), w);
    }

    /** The seed's formula for the server holding {@code accounts} accounts. */
    public static double seed(ServerCandidate s, int accounts, PlannerWeights w) {
        return seedScore(s, fill(accounts, s.maxAccounts()), w);
    }

    private static double seedScore(ServerCandidate s, double fillPercent, PlannerWeights w) {
        double sum = w.cpu() * pct(s.cpuUsage())
                + w.memory() * pct(s.memoryUsage())
                + w.accounts() * fillPercent
                + w.disk() * pct(s.diskUsage());
        return sum / w.seedSum();
    }

    /** The four-factor score with the default weights. */
    public static double fourFactor(ServerCandidate server) {
        return fourFactor(server, server.committedAccounts(), PlannerWeights.defaults());
    }

    /** The four-factor score with the given weights. */
    public static double fourFactor(ServerCandidate server, PlannerWeights w) {
        return fourFactor(server, server.committedAccounts(), w);
    }

    /**
     * load = mean(cpu, mem, disk); capacity = accounts/max·100; response = latency/threshold·100 capped at 100;
     * stability = recentFailures·failurePenalty capped at 100; combined by the four-factor weights.
     */
    public static double fourFactor(ServerCandidate s, int accounts, PlannerWeights w) {
        return fourFactorScore(s, fill(accounts, s.maxAccounts()), w);
    }

    private static double fourFactorScore(ServerCandidate s, double capacity, PlannerWeights w) {
        double load = (pct(s.cpuUsage()) + pct(s.memoryUsage()) + pct(s.diskUsage())) / 3.0;
        double response = Math.min(100.0, 100.0 * s.latencyMillis() / w.responseThresholdMillis());
        double stability = Math.min(100.0, s.recentFailures() * w.failurePenalty());
        double sum = w.load() * load + w.capacity() * capacity + w.response() * response + w.stability() * stability;
        return sum / w.fourFactorSum();
    }

    /** The score selected by {@link PlannerWeights#scoreModel()}. */
    public static double of(ServerCandidate s, int accounts, PlannerWeights w) {
        return w.scoreModel() == ScoreModel.FOUR_FACTOR ? fourFactor(s, accounts, w) : seed(s, accounts, w);
    }

    /**
     * What the load-ranking strategies compare: the configured score with the account fill divided by the server's
     * weight ({@code 100 · accounts / weight / max}, not capped). A weight-2 server's fill grows half as fast per
     * account, so among servers with equal metrics and capacity it takes twice the accounts, while cpu, memory,
     * disk, latency and failures still count in full. Only used for servers with room ({@code max > 0}).
     */
    static double rankingScore(ServerCandidate s, int accounts, PlannerWeights w) {
        double weightedFill = 100.0 * accounts / s.weight() / s.maxAccounts();
        return w.scoreModel() == ScoreModel.FOUR_FACTOR
                ? fourFactorScore(s, weightedFill, w)
                : seedScore(s, weightedFill, w);
    }

    private static double fill(int accounts, int max) {
        // A zero-capacity server is as full as it gets; over-capacity (seed's 7/5) is capped like any percentage.
        return max <= 0 ? 100.0 : pct(100.0 * accounts / max);
    }

    private static double pct(double v) {
        return Math.max(0.0, Math.min(100.0, v));
    }
}
