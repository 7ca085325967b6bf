package io.groupai.fleet.workflows.allocation;

/** Claim the account for a server on behalf of a workflow (the claim is released only by that workflow). */
public record ReserveRequest(String accountId, String serverId, String workflowId) {}
