package io.groupai.fleet.allocation.planner;

import java.util.List;

/** Strategies that rank every server by one ordering: balanced, least_loaded, load_balance, isolation. */
final class RankedSelector implements Selector {

    private final ServerQueue queue;
    private final String why;
    private final boolean isolation;

    private RankedSelector(ServerQueue queue, String why, List<ServerSlot> slots) {
        this(queue, why, slots, false);
    }

    private RankedSelector(ServerQueue queue, String why, List<ServerSlot> slots, boolean isolation) {
        this.queue = queue;
        this.why = why;
        this.isolation = isolation;
        slots.forEach(queue::refresh);
    }

    static RankedSelector balanced(List<ServerSlot> slots) {
        return new RankedSelector(ServerQueue.byKey(s -> s.count / s.weight()), "fewest accounts for its weight",
                slots);
    }

    static RankedSelector leastLoaded(List<ServerSlot> slots) {
        return new RankedSelector(ServerQueue.byKey(s -> (double) s.count / s.max / s.weight()),
                "lowest usage ratio for its weight", slots);
    }

    static RankedSelector loadBalance(List<ServerSlot> slots, PlannerWeights w) {
        return new RankedSelector(ServerQueue.byKey(s -> weightedScore(s, w)),
                "lowest load score for its weight", slots);
    }

    static RankedSelector isolation(List<ServerSlot> slots, PlannerWeights w) {
        // recentFailures never changes during a plan, so it can be the group; the stamp still follows the count.
        return new RankedSelector(new ServerQueue(s -> s.server.recentFailures(), s -> weightedScore(s, w),
                s -> s.count), "no recent failures, lowest load score for its weight", slots, true);
    }

    /** The load-ranking key shared by all load-based strategies: the score with a weighted account fill. */
    static double weightedScore(ServerSlot s, PlannerWeights w) {
        return LoadScore.rankingScore(s.server, s.count, w);
    }

    @Override
    public Choice choose(AccountRequest account) {
        ServerSlot slot = queue.best();
        if (slot == null) {
            return null;
        }
        if (isolation && slot.server.recentFailures() > 0) {
            // Only reached once every server without failures is full: say so, operators will ask.
            return new Choice(slot, "every server with room failed recently; fewest failures ("
                    + slot.server.recentFailures() + "), then lowest load score");
        }
        return new Choice(slot, why);
    }

    @Override
    public void placed(AccountRequest account, ServerSlot slot) {
        queue.refresh(slot);
    }
}
