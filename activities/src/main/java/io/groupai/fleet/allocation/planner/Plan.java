package io.groupai.fleet.allocation.planner;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The planner's answer. Every requested account appears exactly once, in either list, in request order.
 *
 * @param nextCursor the round-robin cursor to persist for the next plan (unchanged input for other strategies)
 */
public record Plan(
        Strategy strategy, List<Placement> placements, List<Unplaced> unplaced, RoundRobinCursor nextCursor) {

    public Plan {
        // The planner's own placement list is already immutable; copying it would create every Placement.
        placements = placements instanceof PlacementColumns ? placements : List.copyOf(placements);
        unplaced = List.copyOf(unplaced);
    }

    /** Number of accounts this plan puts on each server, by nodeId. */
    public Map<String, Integer> plannedPerServer() {
        Map<String, Integer> counts = new TreeMap<>();
        for (Placement p : placements) {
            counts.merge(p.nodeId(), 1, Integer::sum);
        }
        return counts;
    }
}
