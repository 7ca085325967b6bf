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
}
