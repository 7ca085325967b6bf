package io.groupai.fleet.workflows.allocation;

/** An operator-chosen server for one account (batch allocation). */
public record FixedTarget(String accountId, String serverId) {}
