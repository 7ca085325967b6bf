package io.groupai.fleet.registry;

import java.time.Instant;

/**
 * A registered server as stored, without its secret.
 *
 * @param serviceMode what the operator asked for (auto, systemd, pidfile), null for the global setting
 * @param nodeService how bootstrap installed the agent (systemd, systemd-user, pidfile), null before
 */
public record ServerRecord(
        String nodeId,
        String host,
        int port,
        String user,
        String credentialRef,
        String deployDir,
        int maxAccounts,
        String location,
        double weight,
        String allocationStrategy,
        int healthCheckInterval,
        ServerStatus status,
        String health,
        Boolean processAlive,
        Long workerPid,
        Double cpuUsage,
        Double memoryUsage,
        Double diskUsage,
        Long latencyMs,
        int consecutiveFailures,
        Instant lastFailureAt,
        Instant lastProbeAt,
        String lastProbeError,
        Instant lastHeartbeat,
        Instant leaseExpiresAt,
        String hostKeyType,
        String hostKey,
        Instant createdAt,
        Instant updatedAt,
        String supervision,
        String serviceMode,
        String nodeService) {

    /** The node supervisor's verdict after three consecutive failed checks (see V8__supervision.sql). */
    public static final String SUPERVISION_DOWN = "down";

    /** Whether the server's lease was granted and has run out at {@code now}: its agent has stopped its accounts. */
    public boolean leaseExpired(Instant now) {
        return leaseExpiresAt != null && !now.isBefore(leaseExpiresAt);
    }

    /**
     * Why an active, healthy server takes no accounts at {@code now}, or null when it may: the node
     * supervisor marked it down, its lease ran out (a node without a lease refuses to start
     * accounts, and failover may be moving its accounts away), or it has never answered.
     */
    public String notReady(Instant now) {
        if (SUPERVISION_DOWN.equals(supervision)) {
            return "server " + nodeId + " is down (node supervision: three consecutive failed checks); "
                    + "see GET /api/v1/group-ai/servers/" + nodeId + "/health";
        }
        if (leaseExpired(now)) {
            return "server " + nodeId + "'s lease expired at " + leaseExpiresAt + " (last heartbeat "
                    + (lastHeartbeat == null ? "never" : lastHeartbeat.toString())
                    + "): its agent stops its accounts and starts none until a heartbeat renews the lease";
        }
        return hasAnswered() ? null : neverAnswered(nodeId);
    }

    /**
     * Whether the server has shown it is there: its last probe answered, or its agent has sent a
     * heartbeat. A server that has done neither (registered, never bootstrapped or never reached)
     * takes no accounts: they would only sit in "allocating".
     */
    public boolean hasAnswered() {
        return "healthy".equals(health) || lastHeartbeat != null;
    }

    /** Why a server that has not {@linkplain #hasAnswered() answered} takes no accounts, and what to do. */
    public static String neverAnswered(String nodeId) {
        return "server " + nodeId
                + " has never answered a probe or sent a heartbeat; bootstrap it (POST /api/v1/group-ai/servers/"
                + nodeId + "/bootstrap) or check its SSH access with POST /api/v1/group-ai/servers/" + nodeId
                + "/actions/status";
    }
}
