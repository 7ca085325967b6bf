package io.groupai.fleet.allocation.planner;

import java.util.ArrayList;
import java.util.List;

/**
 * Round robin over eligible servers in nodeId order. A server takes {@code max(1, round(weight / w_min))}
 * consecutive turns per visit, {@code w_min} being the smallest weight among the eligible servers, so a weight-2
 * server gets twice the turns of a weight-1 one. Full servers are dropped from the ring as they are met; each is
 * dropped at most once, so the whole plan stays O(n + m²) in the worst case and O(n + m) typically.
 */
final class RoundRobinSelector implements Selector {

    private final List<ServerSlot> ring;
    private final double minWeight;
    private int index;
    private int turns;
    private final RoundRobinCursor start;
    // Where to continue after the last placement; the cursor record is only built once, at the end.
    private ServerSlot next;
    private int nextTurns;

    RoundRobinSelector(List<ServerSlot> slotsInRankOrder, RoundRobinCursor start) {
        this.ring = new ArrayList<>(slotsInRankOrder);
        this.minWeight = ring.stream().mapToDouble(ServerSlot::weight).min().orElse(1.0);
        this.start = start;
        this.index = startIndex(start.nextNodeId());
        boolean resumesVisit = index < ring.size() && ring.get(index).nodeId().equals(start.nextNodeId());
        this.turns = resumesVisit ? start.turnsTaken() : 0;
        if (resumesVisit && turns >= turnsPerVisit(ring.get(index))) {
            // The cursor's server already had its whole visit: go on with the next one.
            index = (index + 1) % ring.size();
            turns = 0;
        }
    }

    /** First server whose nodeId is not before the cursor's; wraps to the start. */
    private int startIndex(String nodeId) {
        if (nodeId == null) {
            return 0;
        }
        for (int i = 0; i < ring.size(); i++) {
            if (ring.get(i).nodeId().compareTo(nodeId) >= 0) {
                return i;
            }
        }
        return 0;
    }

    private int turnsPerVisit(ServerSlot slot) {
        return (int) Math.max(1, Math.round(slot.weight() / minWeight));
    }

    @Override
    public Choice choose(AccountRequest account) {
        while (!ring.isEmpty()) {
            if (index >= ring.size()) {
                index = 0;
            }
            ServerSlot slot = ring.get(index);
            if (!slot.full()) {
                return new Choice(slot, Why.NEXT_IN_TURN);
            }
            ring.remove(index);
            turns = 0;
        }
        return null;
    }

    @Override
    public void placed(AccountRequest account, ServerSlot slot) {
        // choose() returned ring[index], so the placed server is the current one.
        turns++;
        if (turns >= turnsPerVisit(slot)) {
            index = (index + 1) % ring.size();
            turns = 0;
        }
        next = ring.get(index);
        nextTurns = turns;
    }

    @Override
    public RoundRobinCursor cursor(RoundRobinCursor given) {
        return next == null ? start : new RoundRobinCursor(next.nodeId(), nextTurns);
    }
}
