package io.groupai.fleet.app.allocation;

import java.util.Map;

/** {@code GET /api/v1/group-ai/account-allocation/summary}, exactly the seed's JSON shape. */
public record AllocationSummary(
        long totalAccounts, long unallocated, long allocated, Map<String, ServerUsage> servers) {

    public record ServerUsage(int current, int max, int available, double usagePercent) {}
}
