package io.groupai.fleet.workflows.allocation;

import java.util.List;

/**
 * Input of {@link AllocateAccountsWorkflow}; ids only, JSON-friendly, e.g.
 * {@code {"strategy":"balanced"}} (every unallocated account), {@code {"strategy":"load_balance",
 * "accountIds":["639277356155"]}}, or {@code {"type":"MANUAL","targets":[{"accountId":"a1","serverId":"worker-01"}]}}.
 *
 * @param strategy        planner strategy wire name (e.g. {@code balanced}); ignored when {@code targets} are given
 * @param accountIds      accounts to place; null or empty with no targets means every unallocated account
 * @param type            history type; null means {@link AllocationType#INITIAL}
 * @param targets         fixed placements (batch); the workflow tries no other server for them
 * @param parallelism     server batches (up to 10 accounts of one server each) handled at the same time; null or
 *                        &lt; 1 means {@link #DEFAULT_PARALLELISM}
 * @param maxAlternatives next-best servers tried after a failure; null means {@link #DEFAULT_ALTERNATIVES}
 * @param nodeScheduleToStartSeconds how long a task may wait on a node's queue before the node counts as dead for
 *                   this step; null means {@link AllocateChunkWorkflowImpl#NODE_SCHEDULE_TO_START}
 * @param chunkSize       accounts per chunk workflow; null or &lt; 1 means {@link #DEFAULT_CHUNK_SIZE}
 * @param resume          set by continue-as-new: where to go on and the totals so far; null when started
 */
public record AllocationRequest(
        String strategy,
        List<String> accountIds,
        AllocationType type,
        List<FixedTarget> targets,
        Integer parallelism,
        Integer maxAlternatives,
        Integer nodeScheduleToStartSeconds,
        Integer chunkSize,
        AllocationContinuation resume) {

    public static final int DEFAULT_PARALLELISM = 4;
    public static final int DEFAULT_ALTERNATIVES = 2;
    /** About 25 history events per account at most: a chunk of 250 stays far below Temporal's 51,200-event limit. */
    public static final int DEFAULT_CHUNK_SIZE = 250;

    public static AllocationRequest auto(String strategy) {
        return new AllocationRequest(strategy, null, AllocationType.INITIAL, null, null, null, null, null, null);
    }

    public static AllocationRequest accounts(String strategy, List<String> accountIds) {
        return new AllocationRequest(strategy, accountIds, AllocationType.INITIAL, null, null, null, null, null, null);
    }

    public static AllocationRequest fixed(List<FixedTarget> targets) {
        return new AllocationRequest(null, null, AllocationType.MANUAL, targets, null, null, null, null, null);
    }

    public AllocationRequest withParallelism(int value) {
        return new AllocationRequest(
                strategy,
                accountIds,
                type,
                targets,
                value,
                maxAlternatives,
                nodeScheduleToStartSeconds,
                chunkSize,
                resume);
    }

    public AllocationRequest withNodeScheduleToStartSeconds(int seconds) {
        return new AllocationRequest(
                strategy, accountIds, type, targets, parallelism, maxAlternatives, seconds, chunkSize, resume);
    }

    public AllocationRequest withChunkSize(int value) {
        return new AllocationRequest(
                strategy,
                accountIds,
                type,
                targets,
                parallelism,
                maxAlternatives,
                nodeScheduleToStartSeconds,
                value,
                resume);
    }

    /** The same request, continuing at {@code at} (continue-as-new). */
    public AllocationRequest resumeAt(AllocationContinuation at) {
        return new AllocationRequest(
                strategy,
                accountIds,
                type,
                targets,
                parallelism,
                maxAlternatives,
                nodeScheduleToStartSeconds,
                chunkSize,
                at);
    }

    public int effectiveChunkSize() {
        return chunkSize == null || chunkSize < 1 ? DEFAULT_CHUNK_SIZE : chunkSize;
    }

    public int effectiveParallelism() {
        return parallelism == null || parallelism < 1 ? DEFAULT_PARALLELISM : parallelism;
    }

    public int effectiveAlternatives() {
        return maxAlternatives == null || maxAlternatives < 0 ? DEFAULT_ALTERNATIVES : maxAlternatives;
    }

    public AllocationType effectiveType() {
        return type == null ? AllocationType.INITIAL : type;
    }

    public boolean hasTargets() {
        return targets != null && !targets.isEmpty();
    }
}
