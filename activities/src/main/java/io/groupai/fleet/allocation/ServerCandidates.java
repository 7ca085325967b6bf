package io.groupai.fleet.allocation;

import io.groupai.fleet.allocation.planner.ServerCandidate;
import io.groupai.fleet.allocation.planner.ServerState;
import io.groupai.fleet.registry.ServerRecord;
import java.time.Instant;
import java.util.Map;

/** The planner's view of a registered server: its row plus the account count from the database. */
public final class ServerCandidates {

    private ServerCandidates() {}

    /** For scoring only: readiness is judged as of now by {@link #of(ServerRecord, int, int, Map, Instant)}. */
    public static ServerCandidate of(
            ServerRecord s, int currentAccounts, int reservedAccounts, Map<String, Integer> scriptCounts) {
        return of(s, currentAccounts, reservedAccounts, scriptCounts, null);
    }

    /** @param now when readiness is judged (lease expiry); null: lease and supervision are not considered */
    public static ServerCandidate of(
            ServerRecord s, int currentAccounts, int reservedAccounts, Map<String, Integer> scriptCounts, Instant now) {
        return new ServerCandidate(
                s.nodeId(),
                s.maxAccounts(),
                currentAccounts,
                reservedAccounts,
                s.weight(),
                s.location(),
                orZero(s.cpuUsage()),
                orZero(s.memoryUsage()),
                orZero(s.diskUsage()),
                s.latencyMs() == null ? 0 : s.latencyMs(),
                s.consecutiveFailures(),
                !"unhealthy".equals(s.health()),
                ServerState.valueOf(s.status().name()),
                scriptCounts,
                now != null ? s.notReady(now) : s.hasAnswered() ? null : ServerRecord.neverAnswered(s.nodeId()));
    }

    private static double orZero(Double value) {
        return value == null ? 0 : value;
    }
}
