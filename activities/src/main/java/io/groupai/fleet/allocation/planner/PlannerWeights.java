package io.groupai.fleet.allocation.planner;

import java.util.Objects;

/**
 * Weights of both load scores and which one the planner ranks by.
 *
 * <p>Each score is the weighted sum of its factors divided by the sum of its weights, so it stays in
 * 0–100 whatever the weights add up to (the defaults add up to 1, giving exactly the seed's formula).
 *
 * @param cpu                     seed score: CPU usage weight (default 0.3)
 * @param memory                  seed score: memory usage weight (0.3)
 * @param accounts                seed score: account fill weight (0.3)
 * @param disk                    seed score: disk usage weight (0.1)
 * @param load                    four-factor: mean of cpu/memory/disk (0.4)
 * @param capacity                four-factor: account fill (0.3)
 * @param response                four-factor: latency relative to {@code responseThresholdMillis} (0.2)
 * @param stability               four-factor: recent failures (0.1)
 * @param responseThresholdMillis latency that scores 100 on the response factor (2000 ms, the seed's "slow" threshold)
 * @param failurePenalty          stability points per recent failure, capped at 100 (25: four failures = worst)
 * @param scoreModel              score used by load_balance, location, affinity spill-over and isolation
 */
public record PlannerWeights(
        double cpu,
        double memory,
        double accounts,
        double disk,
        double load,
        double capacity,
        double response,
        double stability,
        long responseThresholdMillis,
        double failurePenalty,
        ScoreModel scoreModel) {

    private static final PlannerWeights DEFAULTS =
            new PlannerWeights(0.3, 0.3, 0.3, 0.1, 0.4, 0.3, 0.2, 0.1, 2000, 25, ScoreModel.SEED);

    public PlannerWeights {
        Objects.requireNonNull(scoreModel, "scoreModel");
        requireWeight("cpu", cpu);
        requireWeight("memory", memory);
        requireWeight("accounts", accounts);
        requireWeight("disk", disk);
        requireWeight("load", load);
        requireWeight("capacity", capacity);
        requireWeight("response", response);
        requireWeight("stability", stability);
        requireWeight("failurePenalty", failurePenalty);
        if (!(cpu + memory + accounts + disk > 0)) {
            throw new IllegalArgumentException("seed score weights (cpu, memory, accounts, disk) must not all be 0");
        }
        if (!(load + capacity + response + stability > 0)) {
            throw new IllegalArgumentException(
                    "four-factor weights (load, capacity, response, stability) must not all be 0");
        }
        if (responseThresholdMillis <= 0) {
            throw new IllegalArgumentException("responseThresholdMillis must be > 0, was " + responseThresholdMillis);
        }
    }

    /** The seed's weights, seed score model. */
    public static PlannerWeights defaults() {
        return DEFAULTS;
    }

    /** A copy that ranks by the given score model. */
    public PlannerWeights withScoreModel(ScoreModel model) {
        return new PlannerWeights(
                cpu,
                memory,
                accounts,
                disk,
                load,
                capacity,
                response,
                stability,
                responseThresholdMillis,
                failurePenalty,
                model);
    }

    double seedSum() {
        return cpu + memory + accounts + disk;
    }

    double fourFactorSum() {
        return load + capacity + response + stability;
    }

    private static void requireWeight(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite number >= 0, was " + value);
        }
    }
}
