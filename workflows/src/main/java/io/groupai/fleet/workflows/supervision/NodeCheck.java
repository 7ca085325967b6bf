package io.groupai.fleet.workflows.supervision;

/**
 * What the database says about a supervised server at one check, with the supervision settings
 * that apply to it. Times are ISO-8601 strings (for the query and the history); the lease is
 * judged by the activity on the control plane's clock, so the workflow only compares numbers.
 *
 * @param registered             false once the server was deleted: its supervisor ends
 * @param leaseMillisLeft        null when no lease was ever granted (no heartbeat yet); 0 or less when it expired
 * @param healthIntervalSeconds  the server's health_check_interval: how often a late server is checked again
 * @param probeIntervalSeconds   how often a server with a valid lease is probed anyway (SSH and a ping)
 * @param failureThreshold       consecutive failed checks that mark the server down
 * @param failoverEnabled        whether a server marked down has its accounts moved away
 * @param accounts               accounts the database assigns to the server
 * @param graceMillis            more than 0 when the lease expired before the control plane started (nobody
 *                               could heartbeat) and it has been up for less than a lease TTL: not held
 *                               against the node until then
 * @param leaseTtlMillis         how long a heartbeat's lease lasts (0: unknown, e.g. a check recorded before it was
 *                               sent): a server without a lease yet is checked again at least this often
 */
public record NodeCheck(
        String nodeId,
        boolean registered,
        Long leaseMillisLeft,
        String leaseExpiresAt,
        String lastHeartbeat,
        long healthIntervalSeconds,
        long probeIntervalSeconds,
        int failureThreshold,
        boolean failoverEnabled,
        int accounts,
        long graceMillis,
        long leaseTtlMillis) {

    public boolean leaseValid() {
        return leaseMillisLeft != null && leaseMillisLeft > 0;
    }

    public boolean leaseExpired() {
        return leaseMillisLeft != null && leaseMillisLeft <= 0;
    }
}
