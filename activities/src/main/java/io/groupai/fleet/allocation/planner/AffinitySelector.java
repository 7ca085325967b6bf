package io.groupai.fleet.allocation.planner;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Script affinity: an account goes to the server with room that runs most accounts of its script (counting the
 * input's {@code scriptCounts} plus this plan's placements), so a script is loaded on as few servers as possible.
 * Ties between hosts go by nodeId rather than load, so a host's entry only changes when its count of that script
 * changes. When no host has room, or the account has no script, the lowest weighted-score server is chosen.
 */
final class AffinitySelector implements Selector {

    private final ServerQueue global;
    /** scriptId → slot → accounts of that script there. Sparse: most scripts run on few servers. */
    private final Map<String, Map<ServerSlot, Integer>> scriptCounts = new HashMap<>();
    private final Map<String, ServerQueue> hostsByScript = new HashMap<>();

    AffinitySelector(List<ServerSlot> slots, PlannerWeights weights) {
        this.global = ServerQueue.byKey(s -> RankedSelector.weightedScore(s, weights));
        for (ServerSlot slot : slots) {
            global.refresh(slot);
            slot.server.scriptCounts().forEach((script, count) -> {
                if (count > 0) {
                    counts(script).put(slot, count);
                    hosts(script).refresh(slot);
                }
            });
        }
    }

    private Map<ServerSlot, Integer> counts(String script) {
        return scriptCounts.computeIfAbsent(script, s -> new HashMap<>());
    }

    private ServerQueue hosts(String script) {
        return hostsByScript.computeIfAbsent(script, s -> {
            Map<ServerSlot, Integer> counts = counts(s);
            // Most accounts of the script first; the stamp is that count, so other placements don't invalidate it.
            return new ServerQueue(slot -> -counts.getOrDefault(slot, 0), slot -> 0.0,
                    slot -> counts.getOrDefault(slot, 0));
        });
    }

    @Override
    public Choice choose(AccountRequest account) {
        String script = account.scriptId();
        if (script != null) {
            ServerQueue hosts = hostsByScript.get(script);
            ServerSlot host = hosts == null ? null : hosts.best();
            if (host != null) {
                return new Choice(host, "runs most accounts of script " + script + " ("
                        + scriptCounts.get(script).get(host) + ")");
            }
        }
        ServerSlot slot = global.best();
        if (slot == null) {
            return null;
        }
        return new Choice(slot, script == null
                ? "no script; lowest load score for its weight"
                : "no server running script " + script + " has room; lowest load score for its weight");
    }

    @Override
    public void placed(AccountRequest account, ServerSlot slot) {
        global.refresh(slot);
        String script = account.scriptId();
        if (script != null) {
            counts(script).merge(slot, 1, Integer::sum);
            hosts(script).refresh(slot);
        }
    }
}
