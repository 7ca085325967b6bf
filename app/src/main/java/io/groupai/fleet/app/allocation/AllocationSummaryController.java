package io.groupai.fleet.app.allocation;

import io.groupai.fleet.allocation.AllocationStore;
import io.groupai.fleet.reconcile.ReconcileStore;
import io.groupai.fleet.registry.PlacementCounts;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Allocation summary from the database (never from files on the servers): the per-server counts
 * that every placement keeps in the same transaction, so a call reads one row per server instead
 * of grouping every account.
 */
@RestController
class AllocationSummaryController {

    private final PlacementCounts counts;
    private final ReconcileStore reconcile;

    AllocationSummaryController(PlacementCounts counts, ReconcileStore reconcile) {
        this.counts = counts;
        this.reconcile = reconcile;
    }

    // One read-only REPEATABLE READ transaction: the counts, the held rows and the failed count are one snapshot.
    @GetMapping("/api/v1/group-ai/account-allocation/summary")
    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    public AllocationSummary summary() {
        PlacementCounts.Usage now = counts.usage();
        // Held rows are few at any time (the operation_id index finds them): allocating and migrating apart.
        ReconcileStore.InFlight held = reconcile.inFlight();
        Map<String, AllocationSummary.ServerUsage> usage = new LinkedHashMap<>();
        long allocated = 0;
        for (PlacementCounts.ServerUsage server : now.servers()) {
            int current = (int) server.accounts();
            int max = server.maxAccounts();
            allocated += current;
            double percent = Math.round(1000.0 * current / max) / 10.0;
            Map<String, Long> serverHeld = held.byServer().getOrDefault(server.nodeId(), Map.of());
            long allocating = serverHeld.getOrDefault(AllocationStore.ALLOCATING, 0L);
            long migrating = serverHeld.getOrDefault(AllocationStore.MIGRATING, 0L);
            usage.put(
                    server.nodeId(),
                    new AllocationSummary.ServerUsage(
                            current,
                            max,
                            Math.max(0, max - current),
                            percent,
                            current - allocating - migrating,
                            allocating,
                            migrating));
        }
        long allocating = held.byStatus().getOrDefault(AllocationStore.ALLOCATING, 0L);
        long migrating = held.byStatus().getOrDefault(AllocationStore.MIGRATING, 0L);
        return new AllocationSummary(
                allocated + now.unassigned(),
                now.unassigned(),
                allocated,
                allocated - allocating - migrating,
                allocating,
                migrating,
                reconcile.countFailed(),
                usage);
    }
}
