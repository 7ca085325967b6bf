package io.groupai.fleet.allocation.planner;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Location strategy: servers in the account's preferred location by lowest weighted score, otherwise all servers
 * the same way. One queue per location plus a global one; a placement refreshes the server in both.
 */
final class LocationSelector implements Selector {

    /** Where an account's preference (as written) leads; worked out once per distinct preference string. */
    private record Route(ServerQueue local, Why elsewhere) {
    }

    private final ServerQueue global;
    private final Map<String, ServerQueue> byLocation = new HashMap<>();
    /** By slot index: the slot's location queue (or null) and its member number there. */
    private final ServerQueue[] localQueue;
    private final int[] localMember;
    private final Map<String, Route> routes = new HashMap<>();

    LocationSelector(List<ServerSlot> slots, PlannerWeights weights) {
        this.global = ServerQueue.byKey(slots, s -> RankedSelector.weightedScore(s, weights));
        this.localQueue = new ServerQueue[slots.size()];
        this.localMember = new int[slots.size()];
        Map<String, List<ServerSlot>> members = new LinkedHashMap<>();
        for (ServerSlot slot : slots) {
            String location = normalize(slot.server.location());
            if (location != null) {
                List<ServerSlot> list = members.computeIfAbsent(location, l -> new ArrayList<>());
                localMember[slot.index] = list.size();
                list.add(slot);
            }
        }
        members.forEach((location, list) -> {
            ServerQueue queue = ServerQueue.byKey(list, s -> RankedSelector.weightedScore(s, weights));
            byLocation.put(location, queue);
            list.forEach(slot -> localQueue[slot.index] = queue);
        });
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
        slot = global.best();
        return slot == null ? null : new Choice(slot, route.elsewhere);
    }

    @Override
    public void placed(AccountRequest account, ServerSlot slot) {
        global.refresh(slot.index);
        ServerQueue local = localQueue[slot.index];
        if (local != null) {
            local.refresh(localMember[slot.index]);
        }
    }
}
