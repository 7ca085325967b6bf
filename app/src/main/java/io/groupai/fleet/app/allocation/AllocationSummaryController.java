package io.groupai.fleet.app.allocation;

import io.groupai.fleet.registry.PlacementCounts;
import io.groupai.fleet.registry.ServerRepository;
import java.util.LinkedHashMap;
import java.util.Map;
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
    private final ServerRepository servers;

    AllocationSummaryController(PlacementCounts counts, ServerRepository servers) {
        this.counts = counts;
        this.servers = servers;
    }

    @GetMapping("/api/v1/group-ai/account-allocation/summary")
    @Transactional(readOnly = true)
    AllocationSummary summary() {
        PlacementCounts.Snapshot snapshot = counts.snapshot();
        Map<String, AllocationSummary.ServerUsage> usage = new LinkedHashMap<>();
        servers.capacities().forEach((nodeId, max) -> {
            int current = snapshot.perServer().getOrDefault(nodeId, 0L).intValue();
            double percent = Math.round(1000.0 * current / max) / 10.0;
            usage.put(nodeId, new AllocationSummary.ServerUsage(current, max, Math.max(0, max - current), percent));
        });
        long allocated = snapshot.allocated();
        return new AllocationSummary(allocated + snapshot.unassigned(), snapshot.unassigned(), allocated, usage);
    }
}
