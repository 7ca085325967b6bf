package io.groupai.fleet.allocation.planner;

import java.util.Arrays;

/**
 * Min-heap of ids 0..k-1, each with an ordering (group, key, tie), that moves an id in place when its ordering
 * changes. Callers make ties distinct, so the order is strict and the top is the one minimum whatever the heap's
 * shape. Four children per node and orderings kept in primitive arrays by heap position: each level's children
 * sit side by side in memory instead of behind object references, and nothing is allocated after construction.
 */
final class IndexedHeap {

    private static final int ARITY = 4;

    // By heap position: which id sits there and its ordering.
    private final int[] id;
    private final int[] group;
    private final double[] key;
    private final int[] tie;
    /** Id → heap position, -1 when not in the heap. */
    private final int[] position;

    private int size;

    IndexedHeap(int ids) {
        this.id = new int[ids];
        this.group = new int[ids];
        this.key = new double[ids];
        this.tie = new int[ids];
        this.position = new int[ids];
        Arrays.fill(position, -1);
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The id with the smallest ordering; only when not empty. */
    int top() {
        return id[0];
    }

    /** The key of {@link #top()}; only when not empty. */
    double topKey() {
        return key[0];
    }

    /** Adds the id with this ordering, or moves it there if present. O(log k). */
    void set(int i, int g, double k, int t) {
        int at = position[i];
        if (at < 0) {
            siftUp(size++, i, g, k, t);
        } else {
            place(at, i, g, k, t);
        }
    }

    /** Removes the id if present. */
    void remove(int i) {
        int at = position[i];
        if (at < 0) {
            return;
        }
        position[i] = -1;
        int last = --size;
        if (at != last) {
            place(at, id[last], group[last], key[last], tie[last]);
        }
    }

    /** Puts the entry at {@code at}, then moves it up or down to where it belongs. */
    private void place(int at, int i, int g, double k, int t) {
        if (at > 0 && before(g, k, t, (at - 1) / ARITY)) {
            siftUp(at, i, g, k, t);
        } else {
            siftDown(at, i, g, k, t);
        }
    }

    private void siftUp(int at, int i, int g, double k, int t) {
        while (at > 0) {
            int parent = (at - 1) / ARITY;
            if (!before(g, k, t, parent)) {
                break;
            }
            move(parent, at);
            at = parent;
        }
        put(at, i, g, k, t);
    }

    private void siftDown(int at, int i, int g, double k, int t) {
        while (true) {
            int first = at * ARITY + 1;
            if (first >= size) {
                break;
            }
            int best = first;
            for (int c = first + 1, end = Math.min(first + ARITY, size); c < end; c++) {
                if (before(group[c], key[c], tie[c], best)) {
                    best = c;
                }
            }
            if (before(g, k, t, best)) {
                break;
            }
            move(best, at);
            at = best;
        }
        put(at, i, g, k, t);
    }

    private void move(int from, int to) {
        id[to] = id[from];
        group[to] = group[from];
        key[to] = key[from];
        tie[to] = tie[from];
        position[id[to]] = to;
    }

    private void put(int at, int i, int g, double k, int t) {
        id[at] = i;
        group[at] = g;
        key[at] = k;
        tie[at] = t;
        position[i] = at;
    }

    /** Whether (g, k, t) comes before the entry at heap position {@code at}: group, then key, then tie. */
    private boolean before(int g, double k, int t, int at) {
        if (g != group[at]) {
            return g < group[at];
        }
        int byKey = Double.compare(k, key[at]);
        return byKey != 0 ? byKey < 0 : t < tie[at];
    }
}
