package io.groupai.fleet.app.allocation;

import io.groupai.fleet.workflows.allocation.AllocationResult;
import io.groupai.fleet.workflows.allocation.PlannedPlacement;
import io.groupai.fleet.workflows.allocation.UnplacedAccount;
import java.util.List;

/** Request and response bodies of the allocation endpoints (the seeds' shapes, snake_case on the wire). */
final class AllocationApi {

    private AllocationApi() {}

    /** {@code parallelism}: server batches (up to 25 accounts of one server each) in flight at once (default 8). */
    record AutoRequest(String strategy, Integer parallelism) {}

    record AutoResponse(
            String workflowId,
            String runId,
            String statusUrl,
            String strategy,
            int accounts,
            int planned,
            int unplaced,
            List<PlannedPlacement> plan,
            List<UnplacedAccount> unplacedAccounts,
            String message,
            AllocationResult result) {}

    record BatchItem(String accountId, String serverId) {}

    record BatchRequest(List<BatchItem> allocations) {}

    record BatchResponse(
            String workflowId,
            String runId,
            String statusUrl,
            int reserved,
            List<BatchItem> allocations,
            String message,
            AllocationResult result) {}

    record AllocateRequest(String accountId, String sessionFile, String scriptId, String allocationStrategy) {}

    /** The seed's response plus where to follow the workflow. */
    record AllocateResponse(
            Boolean success,
            String serverId,
            String remotePath,
            Double loadScore,
            String message,
            String workflowId,
            String statusUrl) {}

    record RebalanceRequest(String accountId, String targetServerId, String reason, String strategy) {}

    record RebalanceResponse(
            String workflowId,
            String runId,
            String statusUrl,
            String accountId,
            String sourceServerId,
            String targetServerId,
            String reason) {}
}
