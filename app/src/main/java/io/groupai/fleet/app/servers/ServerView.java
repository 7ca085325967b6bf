package io.groupai.fleet.app.servers;

import io.groupai.fleet.nodes.ssh.SystemdUnit;
import io.groupai.fleet.registry.ServerRecord;
import java.time.Instant;

/**
 * A server as the API shows it. Credentials appear only as "configured or not", never as values.
 */
public record ServerView(
        String nodeId,
        String host,
        int port,
        String user,
        String deployDir,
        int maxAccounts,
        int accountsCount,
        String location,
        double weight,
        String allocationStrategy,
        int healthCheckInterval,
        String status,
        String health,
        Credential credential,
        boolean nodeTokenConfigured,
        String hostKeyType,
        boolean hostKeyPinned,
        Instant lastProbeAt,
        Instant lastHeartbeat,
        Instant createdAt,
        Instant updatedAt,
        // Last reported usage and the seed's load score, so a page of servers shows them without a
        // status call per server (the admin pages' Overview and Servers).
        Double cpuUsage,
        Double memoryUsage,
        Double diskUsage,
        double loadScore,
        Boolean processAlive,
        Long latencyMs,
        // What the operator asked for (auto, systemd, pidfile; null: GROUPAI_NODE_SERVICE_MODE), how bootstrap
        // installed the agent (systemd, systemd-user, pidfile; null: not bootstrapped since) and its unit.
        String serviceMode,
        String nodeService,
        String serviceUnit) {

    /** Which kind of secret is stored, if any. */
    public record Credential(String type, boolean configured) {}

    static ServerView of(ServerRecord s, int accountsCount, String credentialType, boolean nodeTokenConfigured) {
        return new ServerView(
                s.nodeId(),
                s.host(),
                s.port(),
                s.user(),
                s.deployDir(),
                s.maxAccounts(),
                accountsCount,
                s.location(),
                s.weight(),
                s.allocationStrategy(),
                s.healthCheckInterval(),
                s.status().wireName(),
                s.health(),
                new Credential(credentialType, credentialType != null),
                nodeTokenConfigured,
                s.hostKeyType(),
                s.hostKey() != null,
                s.lastProbeAt(),
                s.lastHeartbeat(),
                s.createdAt(),
                s.updatedAt(),
                s.cpuUsage(),
                s.memoryUsage(),
                s.diskUsage(),
                ServerStatusView.loadScore(s, accountsCount),
                s.processAlive(),
                s.latencyMs(),
                s.serviceMode(),
                s.nodeService(),
                s.nodeService() != null && s.nodeService().startsWith("systemd") ? SystemdUnit.name(s.nodeId()) : null);
    }
}
