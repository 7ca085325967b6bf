package io.groupai.fleet.workflows.allocation;

/** Record the placement in allocation_history and mark the account online, in one transaction. */
public record CompleteRequest(
        String accountId,
        String serverId,
        AllocationType type,
        double loadScore,
        String workflowId,
        String previousServerId) {}
