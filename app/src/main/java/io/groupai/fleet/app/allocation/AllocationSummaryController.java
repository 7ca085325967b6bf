package io.groupai.fleet.app.allocation;

import io.groupai.fleet.registry.PlacementCounts;
import java.util.LinkedHashMap;
import java.util.Map;
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

    AllocationSummaryController(PlacementCounts counts) {
        this.counts = counts;
    }

    @GetMapping("/api/v1/group-ai/account-allocation/summary")
    AllocationSummary summary() {
        PlacementCounts.Usage now = counts.usage();
        Map<String, AllocationSummary.ServerUsage> usage = new LinkedHashMap<>();
        long allocated = 0;
        for (PlacementCounts.ServerUsage server : now.servers()) {
            int current = (int) server.accounts();
            int max = server.maxAccounts();
            allocated += current;
            double percent = Math.round(1000.0 * current / max) / 10.0;
            usage.put(
                    server.nodeId(),
                    new AllocationSummary.ServerUsage(current, max, Math.max(0, max - current), percent));
        }
        return new AllocationSummary(allocated + now.unassigned(), now.unassigned(), allocated, usage);
    }
}
