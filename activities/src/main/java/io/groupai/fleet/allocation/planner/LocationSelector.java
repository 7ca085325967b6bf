package io.groupai.fleet.allocation.planner;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Location strategy: servers in the account's preferred location by lowest weighted score, otherwise all servers
 * the same way. One queue per location plus a global one; a placement refreshes the server in both.
 */
final class LocationSelector implements Selector {

    private final PlannerWeights weights;
    private final ServerQueue global;
    private final Map<String, ServerQueue> byLocation = new HashMap<>();

    LocationSelector(List<ServerSlot> slots, PlannerWeights weights) {
        this.weights = weights;
        this.global = ServerQueue.byKey(this::key);
        for (ServerSlot slot : slots) {
            global.refresh(slot);
            String location = normalize(slot.server.location());
            if (location != null) {
                byLocation.computeIfAbsent(location, l -> ServerQueue.byKey(this::key)).refresh(slot);
            }
        }
    }

    /**
     * Location names compare case-insensitively, ignoring spaces, underscores and hyphens, so the seed's
     * {@code "LosAngeles"} matches {@code "los-angeles"} and {@code "Los Angeles"}. Blank → {@code null}.
     */
    static String normalize(String location) {
        if (location == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(location.length());
        for (int i = 0; i < location.length(); i++) {
            char c = location.charAt(i);
            if (c != ' ' && c != '_' && c != '-' && !Character.isWhitespace(c)) {
                sb.append(c);
            }
        }
        return sb.isEmpty() ? null : sb.toString().toLowerCase(Locale.ROOT);
    }

    private double key(ServerSlot s) {
        return RankedSelector.weightedScore(s, weights);
    }

    @Override
    public Choice choose(AccountRequest account) {
        String wanted = normalize(account.locationPreference());
        if (wanted != null) {
            ServerQueue local = byLocation.get(wanted);
            ServerSlot slot = local == null ? null : local.best();
            if (slot != null) {
                return new Choice(slot, "in preferred location " + account.locationPreference());
            }
        }
        ServerSlot slot = global.best();
        if (slot == null) {
            return null;
        }
        String why = wanted == null
                ? "no location preference; lowest load score for its weight"
                : "no server with room in " + account.locationPreference() + "; lowest load score elsewhere";
        return new Choice(slot, why);
    }

    @Override
    public void placed(AccountRequest account, ServerSlot slot) {
        global.refresh(slot);
        String location = normalize(slot.server.location());
        if (location != null) {
            byLocation.get(location).refresh(slot);
        }
    }
}
