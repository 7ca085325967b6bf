package io.groupai.fleet.allocation.planner;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;

/**
 * Min-heap of servers ordered by (group, key, rank) with lazy invalidation.
 *
 * <p>Entries carry a snapshot of their ordering and a stamp. When a server changes, the caller
 * {@link #refresh refreshes} it, which adds a fresh entry; the old one no longer matches the server's stamp and
 * is dropped when it reaches the top. This keeps each placement at O(log m) without a decrease-key heap, and lets
 * one server sit in several queues (e.g. its location's and the global one).
 */
final class ServerQueue {

    private record Entry(int group, double key, ServerSlot slot, int stamp) {
    }

    private static final Comparator<Entry> ORDER = Comparator.comparingInt(Entry::group)
            .thenComparingDouble(Entry::key)
            .thenComparingInt(e -> e.slot().rank);

    private final PriorityQueue<Entry> heap = new PriorityQueue<>(ORDER);
    private final ToIntFunction<ServerSlot> group;
    private final ToDoubleFunction<ServerSlot> key;
    private final ToIntFunction<ServerSlot> stamp;

    /**
     * @param group smaller first; compared before key
     * @param key   smaller first
     * @param stamp changes whenever group or key may have changed; entries with an old stamp are ignored
     */
    ServerQueue(ToIntFunction<ServerSlot> group, ToDoubleFunction<ServerSlot> key, ToIntFunction<ServerSlot> stamp) {
        this.group = group;
        this.key = key;
        this.stamp = stamp;
    }

    /** Queue ordered by key alone, stamped by the server's account count (changes with every placement). */
    static ServerQueue byKey(ToDoubleFunction<ServerSlot> key) {
        return new ServerQueue(s -> 0, key, s -> s.count);
    }

    /** (Re-)inserts the server with its current ordering, unless it is full. */
    void refresh(ServerSlot slot) {
        if (!slot.full()) {
            heap.add(new Entry(group.applyAsInt(slot), key.applyAsDouble(slot), slot, stamp.applyAsInt(slot)));
        }
    }

    /** The best server with room, or {@code null} when none is left. Does not remove it. */
    ServerSlot best() {
        Entry top;
        while ((top = heap.peek()) != null) {
            if (!top.slot().full() && top.stamp() == stamp.applyAsInt(top.slot())) {
                return top.slot();
            }
            heap.poll();
        }
        return null;
    }
}
