package io.groupai.fleet.workflows.allocation;

/** Where the planner wants an account, and the chosen server's load score when it chose it. */
public record PlannedPlacement(String accountId, String serverId, double loadScore) {}
