package io.groupai.fleet.app.servers;

import io.groupai.fleet.allocation.ServerCandidates;
import io.groupai.fleet.allocation.planner.LoadScore;
import io.groupai.fleet.registry.ServerRecord;
import io.groupai.fleet.registry.ServerStatus;
import java.time.Instant;
import java.util.Map;

/**
 * {@code GET /api/v1/group-ai/servers/{node_id}/status} in the seed's shape (node_id, host, status,
 * cpu_usage, memory_usage, disk_usage, accounts_count, max_accounts, load_score, last_heartbeat),
 * plus what the probe saw. accounts_count comes from the database.
 */
public record ServerStatusView(
        String nodeId,
        String host,
        String status,
        Double cpuUsage,
        Double memoryUsage,
        Double diskUsage,
        int accountsCount,
        int maxAccounts,
        double loadScore,
        Instant lastHeartbeat,
        Boolean processAlive,
        Long workerPid,
        Long latencyMs,
        String health,
        int consecutiveFailures,
        Instant lastProbeAt,
        String lastProbeError) {

    static ServerStatusView of(ServerRecord s, int accountsCount) {
        return new ServerStatusView(
                s.nodeId(),
                s.host(),
                displayStatus(s),
                s.cpuUsage(),
                s.memoryUsage(),
                s.diskUsage(),
                accountsCount,
                s.maxAccounts(),
                loadScore(s, accountsCount),
                s.lastHeartbeat(),
                s.processAlive(),
                s.workerPid(),
                s.latencyMs(),
                s.health(),
                s.consecutiveFailures(),
                s.lastProbeAt(),
                s.lastProbeError());
    }

    /** online / offline as in the seed for active servers; the administrative state otherwise. */
    static String displayStatus(ServerRecord s) {
        if (s.status() != ServerStatus.ACTIVE) {
            return s.status().wireName();
        }
        if (s.lastProbeAt() == null) {
            return "unknown";
        }
        return "healthy".equals(s.health()) && Boolean.TRUE.equals(s.processAlive()) ? "online" : "offline";
    }

    /** The seed's load score (0.3 CPU + 0.3 memory + 0.3 accounts/max + 0.1 disk), as the planner computes it. */
    static double loadScore(ServerRecord s, int accountsCount) {
        double score = LoadScore.seed(ServerCandidates.of(s, accountsCount, 0, Map.of()));
        return Math.round(score * 10) / 10.0;
    }
}
