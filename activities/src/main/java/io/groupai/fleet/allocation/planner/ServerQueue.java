package io.groupai.fleet.allocation.planner;

import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;

/**
 * Servers with room ordered by (group, key, rank), re-ranked in place.
 *
 * <p>Members are numbered 0..k-1 by their position in the list given at construction, which callers keep in rank
 * (nodeId) order, so the member number is the nodeId tie-breaker. When a server's count changes the caller
 * {@link #refresh refreshes} it: its key is recomputed and it moves up or down in O(log k), or leaves the queue
 * once full.
 */
final class ServerQueue {

    private final ServerSlot[] members;
    private final ToIntFunction<ServerSlot> groupOf;
    private final ToDoubleFunction<ServerSlot> keyOf;
    private final IndexedHeap heap;

    /**
     * @param members in rank order; all of them are queued unless full
     * @param group   smaller first; compared before key
     * @param key     smaller first
     */
    ServerQueue(List<ServerSlot> members, ToIntFunction<ServerSlot> group, ToDoubleFunction<ServerSlot> key) {
        this.members = members.toArray(ServerSlot[]::new);
        this.groupOf = group;
        this.keyOf = key;
        this.heap = new IndexedHeap(this.members.length);
        for (int m = 0; m < this.members.length; m++) {
            refresh(m);
        }
    }

    /** Queue ordered by key alone. */
    static ServerQueue byKey(List<ServerSlot> members, ToDoubleFunction<ServerSlot> key) {
        return new ServerQueue(members, s -> 0, key);
    }

    /** Re-ranks member {@code m} after its count changed: recomputes its ordering, or drops it once it is full. */
    void refresh(int m) {
        ServerSlot slot = members[m];
        if (slot.full()) {
            heap.remove(m);
        } else {
            heap.set(m, groupOf.applyAsInt(slot), keyOf.applyAsDouble(slot), m);
        }
    }

    /** The best server with room, or {@code null} when none is left. Does not remove it. */
    ServerSlot best() {
        return heap.isEmpty() ? null : members[heap.top()];
    }

    /** The key of {@link #best()}; only when there is one. */
    double bestKey() {
        return heap.topKey();
    }
}
