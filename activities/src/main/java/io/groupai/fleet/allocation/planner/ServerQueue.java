package io.groupai.fleet.allocation.planner;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;

/**
 * Indexed min-heap of servers ordered by (group, key, member number), re-keyed in place.
 *
 * <p>Members are numbered 0..k-1 by their position in the list given at construction, which callers keep in rank
 * (nodeId) order, so the member number is the nodeId tie-breaker and the order is strict: whatever the heap's
 * shape, {@link #best()} is the one minimum. When a server's count changes the caller {@link #refresh refreshes}
 * it: its key is recomputed and it moves up or down in O(log k), or leaves the queue once full.
 *
 * <p>Four children per node and orderings kept in primitive arrays by heap position: a placement in a balanced
 * plan sinks the server it filled to the bottom, and this reads each level's children from one cache line
 * instead of chasing objects, with no allocation.
 */
final class ServerQueue {

    private static final int ARITY = 4;

    private final ServerSlot[] members;
    private final ToIntFunction<ServerSlot> groupOf;
    private final ToDoubleFunction<ServerSlot> keyOf;
    // By heap position: which member sits there and its ordering.
    private final int[] member;
    private final int[] group;
    private final double[] key;
    /** Member → heap position, -1 when not queued. */
    private final int[] position;
    private int size;

    /**
     * @param members in rank order; all of them are queued unless full
     * @param group   smaller first; compared before key
     * @param key     smaller first
     */
    ServerQueue(List<ServerSlot> members, ToIntFunction<ServerSlot> group, ToDoubleFunction<ServerSlot> key) {
        this.members = members.toArray(ServerSlot[]::new);
        this.groupOf = group;
        this.keyOf = key;
        int k = this.members.length;
        this.member = new int[k];
        this.group = new int[k];
        this.key = new double[k];
        this.position = new int[k];
        Arrays.fill(position, -1);
        for (int m = 0; m < k; m++) {
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
        int at = position[m];
        if (slot.full()) {
            if (at >= 0) {
                removeAt(at);
            }
            return;
        }
        int g = groupOf.applyAsInt(slot);
        double k = keyOf.applyAsDouble(slot);
        if (at < 0) {
            siftUp(size++, m, g, k);
        } else if (at > 0 && before(g, k, m, (at - 1) / ARITY)) {
            siftUp(at, m, g, k);
        } else {
            siftDown(at, m, g, k);
        }
    }

    /** The best server with room, or {@code null} when none is left. Does not remove it. */
    ServerSlot best() {
        return size == 0 ? null : members[member[0]];
    }

    private void removeAt(int at) {
        position[member[at]] = -1;
        int last = --size;
        if (at == last) {
            return;
        }
        int m = member[last];
        int g = group[last];
        double k = key[last];
        if (at > 0 && before(g, k, m, (at - 1) / ARITY)) {
            siftUp(at, m, g, k);
        } else {
            siftDown(at, m, g, k);
        }
    }

    /** Places (m, g, k) at {@code at} or above, moving the parents it beats down. */
    private void siftUp(int at, int m, int g, double k) {
        while (at > 0) {
            int parent = (at - 1) / ARITY;
            if (!before(g, k, m, parent)) {
                break;
            }
            move(parent, at);
            at = parent;
        }
        put(at, m, g, k);
    }

    /** Places (m, g, k) at {@code at} or below, moving the children that beat it up. */
    private void siftDown(int at, int m, int g, double k) {
        while (true) {
            int first = at * ARITY + 1;
            if (first >= size) {
                break;
            }
            int best = first;
            for (int c = first + 1, end = Math.min(first + ARITY, size); c < end; c++) {
                if (before(group[c], key[c], member[c], best)) {
                    best = c;
                }
            }
            if (!before(group[best], key[best], member[best], g, k, m)) {
                break;
            }
            move(best, at);
            at = best;
        }
        put(at, m, g, k);
    }

    private void move(int from, int to) {
        member[to] = member[from];
        group[to] = group[from];
        key[to] = key[from];
        position[member[to]] = to;
    }

    private void put(int at, int m, int g, double k) {
        member[at] = m;
        group[at] = g;
        key[at] = k;
        position[m] = at;
    }

    /** Whether (g, k, m) comes before the entry at heap position {@code at}. */
    private boolean before(int g, double k, int m, int at) {
        return before(g, k, m, group[at], key[at], member[at]);
    }

    /** Strict order: group, then key, then member number; members are distinct, so there are no ties. */
    private static boolean before(int g1, double k1, int m1, int g2, double k2, int m2) {
        if (g1 != g2) {
            return g1 < g2;
        }
        int byKey = Double.compare(k1, k2);
        return byKey != 0 ? byKey < 0 : m1 < m2;
    }
}
