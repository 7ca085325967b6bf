package io.groupai.fleet.allocation.planner;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Location strategy: servers in the account's preferred location by lowest weighted score, otherwise all servers
 * the same way. The servers are split into one queue per location (plus one for servers without a location), and
 * the best server overall is the best of the queues' bests, kept in a small heap of the queues: a placement
 * re-ranks its server in its location's queue and that queue in the heap, never in a queue of every server.
 */
final class LocationSelector implements Selector {

    /** Where an account's preference (as written) leads; worked out once per distinct preference string. */
    private record Route(ServerQueue local, Why elsewhere) {}

    /** Every server is in exactly one part. */
    private final ServerQueue[] parts;
    /** By slot index: its part and its member number there. */
    private final int[] partOf;

    private final int[] memberOf;
    /** Parts with room, ordered by their best server's (key, rank): the top part holds the best server overall. */
    private final IndexedHeap bestParts;

    private final Map<String, ServerQueue> byLocation = new HashMap<>();
    private final Map<String, Route> routes = new HashMap<>();

    LocationSelector(List<ServerSlot> slots, PlannerWeights weights) {
        this.partOf = new int[slots.size()];
        this.memberOf = new int[slots.size()];
        Map<String, List<ServerSlot>> byName = new LinkedHashMap<>(); // the null key gathers servers without one
        for (ServerSlot slot : slots) {
            List<ServerSlot> part = byName.computeIfAbsent(normalize(slot.server.location()), l -> new ArrayList<>());
            memberOf[slot.index] = part.size();
            part.add(slot);
        }
        this.parts = new ServerQueue[byName.size()];
        this.bestParts = new IndexedHeap(parts.length);
        int p = 0;
        for (Map.Entry<String, List<ServerSlot>> e : byName.entrySet()) {
            parts[p] = ServerQueue.byKey(e.getValue(), s -> RankedSelector.weightedScore(s, weights));
            if (e.getKey() != null) {
                byLocation.put(e.getKey(), parts[p]);
            }
            for (ServerSlot slot : e.getValue()) {
                partOf[slot.index] = p;
            }
            rankPart(p++);
        }
    }

    private void rankPart(int p) {
        ServerSlot best = parts[p].best();
        if (best == null) {
            bestParts.remove(p);
        } else {
            bestParts.set(p, 0, parts[p].bestKey(), best.index);
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

    private Route route(String preference) {
        Route route = routes.get(preference);
        if (route == null) {
            String wanted = normalize(preference);
            route = wanted == null
                    ? new Route(null, Why.NO_PREFERENCE)
                    : new Route(byLocation.get(wanted), Why.NO_ROOM_IN_LOCATION);
            routes.put(preference, route);
        }
        return route;
    }

    @Override
    public Choice choose(AccountRequest account) {
        Route route = route(account.locationPreference());
        ServerSlot slot = route.local == null ? null : route.local.best();
        if (slot != null) {
            return new Choice(slot, Why.IN_LOCATION);
        }
        slot = bestParts.isEmpty() ? null : parts[bestParts.top()].best();
        return slot == null ? null : new Choice(slot, route.elsewhere);
    }

    @Override
    public void placed(AccountRequest account, ServerSlot slot) {
        int p = partOf[slot.index];
        parts[p].refresh(memberOf[slot.index]);
        rankPart(p);
    }
}
