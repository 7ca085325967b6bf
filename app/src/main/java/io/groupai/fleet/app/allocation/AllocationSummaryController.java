package io.groupai.fleet.app.allocation;

import io.groupai.fleet.registry.AccountRepository;
import io.groupai.fleet.registry.ServerRecord;
import io.groupai.fleet.registry.ServerRepository;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Allocation summary computed from the database (never from files on the servers). */
@RestController
class AllocationSummaryController {

    private final AccountRepository accounts;
    private final ServerRepository servers;

    AllocationSummaryController(AccountRepository accounts, ServerRepository servers) {
        this.accounts = accounts;
        this.servers = servers;
    }

    @GetMapping("/api/v1/group-ai/account-allocation/summary")
    @Transactional(readOnly = true)
    AllocationSummary summary() {
        long total = accounts.countAll();
        long unallocated = accounts.countUnallocated();
        Map<String, Integer> counts = accounts.countByServer();
        Map<String, AllocationSummary.ServerUsage> usage = new LinkedHashMap<>();
        for (ServerRecord server : servers.findAll()) {
            int current = counts.getOrDefault(server.nodeId(), 0);
            double percent = Math.round(1000.0 * current / server.maxAccounts()) / 10.0;
            usage.put(server.nodeId(), new AllocationSummary.ServerUsage(current, server.maxAccounts(),
                    Math.max(0, server.maxAccounts() - current), percent));
        }
        return new AllocationSummary(total, unallocated, total - unallocated, usage);
    }
}
