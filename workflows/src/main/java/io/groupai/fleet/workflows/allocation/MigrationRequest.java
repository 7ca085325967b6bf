package io.groupai.fleet.workflows.allocation;

/**
 * Input of {@link MigrateAccountWorkflow}: {@code {"accountId":"639277356598","targetServerId":"los-angeles",
 * "reason":"server_overload"}}; without a target the strategy (default load_balance) chooses one.
 *
 * @param sourceDown the source server is down (failover): the stop there is tried briefly, and when
 *                   it does not answer the account moves only once the source's lease has expired
 *                   plus the fencing margin, from the newest session in the control plane's store
 */
public record MigrationRequest(
        String accountId, String targetServerId, String reason, String strategy, boolean sourceDown) {

    public MigrationRequest(String accountId, String targetServerId, String reason, String strategy) {
        this(accountId, targetServerId, reason, strategy, false);
    }
}
