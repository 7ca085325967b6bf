package io.groupai.fleet.allocation.planner;

import java.util.Arrays;
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

    private final ServerSlot[] slots;
    private final ServerQueue global;
    /** scriptId → servers running it. Sparse: most scripts run on few servers. */
    private final Map<String, Hosts> hostsByScript = new HashMap<>();

    AffinitySelector(List<ServerSlot> slots, PlannerWeights weights) {
        this.slots = slots.toArray(ServerSlot[]::new);
        this.global = ServerQueue.byKey(slots, s -> RankedSelector.weightedScore(s, weights));
        for (ServerSlot slot : slots) {
            slot.server.scriptCounts().forEach((script, count) -> {
                if (count > 0) {
                    hostsByScript.computeIfAbsent(script, s -> new Hosts()).add(slot.index, count);
                }
            });
        }
    }

    @Override
    public Choice choose(AccountRequest account) {
        String script = account.scriptId();
        if (script != null) {
            Hosts hosts = hostsByScript.get(script);
            if (hosts != null && hosts.dropFull(slots)) {
                return new Choice(slots[hosts.topSlot()], Why.MOST_OF_SCRIPT, hosts.topCount());
            }
        }
        ServerSlot slot = global.best();
        if (slot == null) {
            return null;
        }
        return new Choice(slot, script == null ? Why.NO_SCRIPT : Why.NO_HOST_WITH_ROOM);
    }

    @Override
    public void placed(AccountRequest account, ServerSlot slot) {
        global.refresh(slot.index);
        String script = account.scriptId();
        if (script != null) {
            Hosts hosts = hostsByScript.get(script);
            if (hosts != null && !hosts.isEmpty() && hosts.topSlot() == slot.index) {
                hosts.incrementTop();
            } else {
                // Placed by load because no host had room (choose() emptied the heap): a new host with one account.
                hostsByScript.computeIfAbsent(script, s -> new Hosts()).add(slot.index, 1);
            }
        }
    }

    /**
     * The servers running one script, most accounts of it first, then nodeId, as a binary min-heap of
     * {@code (MAX - count) << 32 | slotIndex}. Only the top ever gains accounts of the script (that is where
     * choose() sends them), which keeps it on top; servers join when an account spills onto them, and leave when
     * full, found at the top. So no entry ever needs re-ranking in place.
     */
    private static final class Hosts {
        private long[] heap = new long[4];
        private int size;

        boolean isEmpty() {
            return size == 0;
        }

        int topSlot() {
            return (int) heap[0];
        }

        int topCount() {
            return Integer.MAX_VALUE - (int) (heap[0] >>> 32);
        }

        void incrementTop() {
            heap[0] = entry(topCount() + 1, topSlot()); // smaller than before, so still the top
        }

        /** Pops full servers off the top; true when a server with room is left on top. */
        boolean dropFull(ServerSlot[] slots) {
            while (size > 0 && slots[topSlot()].full()) {
                long last = heap[--size];
                if (size > 0) {
                    siftDown(last);
                }
            }
            return size > 0;
        }

        void add(int slotIndex, int count) {
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            long e = entry(count, slotIndex);
            int at = size++;
            while (at > 0) {
                int parent = (at - 1) >>> 1;
                if (heap[parent] <= e) {
                    break;
                }
                heap[at] = heap[parent];
                at = parent;
            }
            heap[at] = e;
        }

        /** Puts {@code e} at the root and moves it down to its place. */
        private void siftDown(long e) {
            int at = 0;
            int half = size >>> 1;
            while (at < half) {
                int child = 2 * at + 1;
                if (child + 1 < size && heap[child + 1] < heap[child]) {
                    child++;
                }
                if (heap[child] >= e) {
                    break;
                }
                heap[at] = heap[child];
                at = child;
            }
            heap[at] = e;
        }

        private static long entry(int count, int slotIndex) {
            return ((long) (Integer.MAX_VALUE - count) << 32) | slotIndex;
        }
    }
}
