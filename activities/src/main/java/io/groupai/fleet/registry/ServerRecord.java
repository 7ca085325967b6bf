package io.groupai.fleet.registry;

import java.time.Instant;

/** A registered server as stored, without its secret. */
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
        Instant updatedAt) {

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
