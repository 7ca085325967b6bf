package io.groupai.fleet.workflows.allocation;

/**
 * Input of {@link MigrateAccountWorkflow}: {@code {"accountId":"639277356598","targetServerId":"los-angeles",
 * "reason":"server_overload"}}; without a target the strategy (default load_balance) chooses one.
 */
public record MigrationRequest(String accountId, String targetServerId, String reason, String strategy) {}
