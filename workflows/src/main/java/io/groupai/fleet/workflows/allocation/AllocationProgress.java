package io.groupai.fleet.workflows.allocation;

import java.util.List;

/**
 * Progress of an {@link AllocateAccountsWorkflow} across all its runs (continue-as-new carries the
 * totals). Per-account detail lives in the chunk workflows: {@code chunkAccounts} is filled by
 * readers that query {@code currentChunk} (the workflow itself returns it empty).
 *
 * @param accounts     accounts taken up so far (auto pages through the unallocated accounts chunk by chunk)
 * @param planned      accounts the planner gave a server
 * @param unplaced     accounts the planner could not place (counted in {@code failed} too)
 * @param placed       accounts running on their server
 * @param failed       accounts given up (unplaced or every tried server failed)
 * @param running      accounts in the chunk being worked on
 * @param chunks       chunk workflows started so far
 * @param currentChunk id of the chunk workflow started last, null before the first
 * @param chunkAccounts per-account state in {@code currentChunk}
 */
public record AllocationProgress(
        int accounts,
        int planned,
        int unplaced,
        int placed,
        int failed,
        int running,
        int chunks,
        String currentChunk,
        List<AccountProgress> chunkAccounts) {

    public AllocationProgress withChunkAccounts(List<AccountProgress> detail) {
        return new AllocationProgress(
                accounts, planned, unplaced, placed, failed, running, chunks, currentChunk, detail);
    }
}
