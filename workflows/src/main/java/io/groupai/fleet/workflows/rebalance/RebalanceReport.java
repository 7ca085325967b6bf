package io.groupai.fleet.workflows.rebalance;

import java.util.List;

/**
 * Progress (the {@code progress} query) and result of {@link RebalanceWorkflow}.
 *
 * @param phase   PLANNING, MOVING, DONE (or DRY_RUN when nothing was to move)
 * @param plan    null while planning
 * @param planned moves planned
 * @param moved   moves done
 * @param failed  moves that failed (each is in {@code moves} with the migration's reason)
 * @param skipped what the plan leaves alone, with why
 */
public record RebalanceReport(
        String phase,
        boolean dryRun,
        RebalancePlan plan,
        int planned,
        int moved,
        int failed,
        int running,
        List<MoveOutcome> moves,
        List<RebalanceSkip> skipped,
        String message) {

    public static final String PLANNING = "PLANNING";
    public static final String MOVING = "MOVING";
    public static final String DONE = "DONE";
    public static final String DRY_RUN = "DRY_RUN";
}
