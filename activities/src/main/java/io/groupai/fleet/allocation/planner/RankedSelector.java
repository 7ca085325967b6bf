package io.groupai.fleet.allocation.planner;

import java.util.List;

/** Strategies that rank every server by one ordering: balanced, least_loaded, load_balance, isolation. */
final class RankedSelector implements Selector {

    private final ServerQueue queue;
    private final Why why;
    private final boolean isolation;

    private RankedSelector(ServerQueue queue, Why why) {
        this(queue, why, false);
    }

    private RankedSelector(ServerQueue queue, Why why, boolean isolation) {
        this.queue = queue;
        this.why = why;
        this.isolation = isolation;
    }

    static RankedSelector balanced(List<ServerSlot> slots) {
        return new RankedSelector(ServerQueue.byKey(slots, s -> s.count / s.weight()), Why.FEWEST_ACCOUNTS);
    }

    static RankedSelector leastLoaded(List<ServerSlot> slots) {
        return new RankedSelector(
                ServerQueue.byKey(slots, s -> (double) s.count / s.max / s.weight()), Why.LOWEST_USAGE);
    }

    static RankedSelector loadBalance(List<ServerSlot> slots, PlannerWeights w) {
        return new RankedSelector(ServerQueue.byKey(slots, s -> weightedScore(s, w)), Why.LOWEST_SCORE);
    }

    static RankedSelector isolation(List<ServerSlot> slots, PlannerWeights w) {
        // recentFailures never changes during a plan, so it can be the group.
        return new RankedSelector(
                new ServerQueue(slots, s -> s.server.recentFailures(), s -> weightedScore(s, w)),
                Why.NO_FAILURES,
                true);
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
            return new Choice(slot, Why.FEWEST_FAILURES, slot.server.recentFailures());
        }
        return new Choice(slot, why);
    }

    @Override
    public void placed(AccountRequest account, ServerSlot slot) {
        queue.refresh(slot.index);
    }
}
