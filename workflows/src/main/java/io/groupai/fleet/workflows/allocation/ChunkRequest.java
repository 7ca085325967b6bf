package io.groupai.fleet.workflows.allocation;

import java.util.List;

/**
 * Input of {@link AllocateChunkWorkflow}: one chunk of an allocation, already planned by its parent.
 *
 * @param operationId  the parent's workflow id: the claims and the history rows are held under it
 * @param type         history type
 * @param strategy     strategy for next-best servers after a failure; null for fixed targets
 * @param fixed        true for operator-chosen targets: no other server is tried
 * @param placements   first choice per account
 * @param parallelism  server batches ({@link ServerBatch}) handled at the same time
 * @param maxAlternatives next-best servers tried after a failure
 * @param nodeScheduleToStartSeconds see {@link AllocationRequest#nodeScheduleToStartSeconds()}
 */
public record ChunkRequest(
        String operationId,
        AllocationType type,
        String strategy,
        boolean fixed,
        List<PlannedPlacement> placements,
        int parallelism,
        int maxAlternatives,
        Integer nodeScheduleToStartSeconds) {}
