package io.groupai.fleet.app.allocation;

import java.util.Map;

/**
 * {@code GET /api/v1/group-ai/account-allocation/summary}: the seed's JSON shape
 * ({@code total_accounts, unallocated, allocated, servers: {current, max, available, usage_percent}}),
 * plus the accounts an operation still holds apart from the placed ones: {@code allocated} =
 * {@code placed} + {@code allocating} + {@code migrating} (a migrating account counts on its source),
 * and {@code failed} (placed, marked failed).
 */
public record AllocationSummary(
        long totalAccounts,
        long unallocated,
        long allocated,
        long placed,
        long allocating,
        long migrating,
        long failed,
        Map<String, ServerUsage> servers) {

    public record ServerUsage(
            int current, int max, int available, double usagePercent, long placed, long allocating, long migrating) {}
}
