package io.groupai.fleet.workflows.rebalance;

/**
 * Why a rebalance has work to do (seed §2.2.1). A server failure is not among them: the node
 * supervisor marks the server down and its failover moves the accounts (a rebalance leaves down
 * servers alone and says so).
 *
 * @param serverId the server concerned; null for the fleet-wide spread
 */
public record RebalanceTrigger(Kind kind, String serverId, String detail) {

    public enum Kind {
        /** More accounts than {@code max_accounts}, e.g. after it was lowered. */
        OVER_CAPACITY,
        /** The server's last probe answered slower than the threshold (2 s): it keeps a reduced share. */
        SLOW_RESPONSE,
        /** The usage spread between the most and the least used eligible server is above the threshold. */
        SPREAD
    }
}
