package io.groupai.fleet.workflows.allocation;

import java.util.List;

/** Claim several accounts for one server on behalf of a workflow, in one transaction (see {@link AllocationActivities#reserveBatch}). */
public record ReserveBatchRequest(String serverId, String workflowId, List<String> accountIds) {}
