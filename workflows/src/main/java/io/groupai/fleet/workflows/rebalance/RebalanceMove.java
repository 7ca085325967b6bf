package io.groupai.fleet.workflows.rebalance;

/**
 * One planned move: the account leaves {@code fromServerId} for {@code toServerId}.
 *
 * @param cause the trigger it fixes: {@link RebalanceTrigger.Kind}
 */
public record RebalanceMove(String accountId, String fromServerId, String toServerId, RebalanceTrigger.Kind cause) {}
