package io.groupai.fleet.allocation.planner;

/** Which load score the load-ranking strategies use; chosen in {@link PlannerWeights}. */
public enum ScoreModel {
    /** The seed's {@code calculate_load_score}: cpu, memory, accounts, disk. */
    SEED,
    /** The seed design's four-factor score: load, capacity, response, stability. */
    FOUR_FACTOR
}
