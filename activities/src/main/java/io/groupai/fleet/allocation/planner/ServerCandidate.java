package io.groupai.fleet.allocation.planner;

import java.util.Map;
import java.util.Objects;

/**
 * A server as the planner sees it: capacity, current use, last probe metrics and state.
 *
 * <p>The number of accounts the planner counts against {@code maxAccounts} is
 * {@code currentAccounts + reservedAccounts} plus whatever the plan itself puts there.
 *
 * @param nodeId          unique server id, also the stable tie-breaker of every strategy
 * @param maxAccounts     hard capacity; never exceeded by a plan
 * @param currentAccounts accounts assigned in the database
 * @param reservedAccounts capacity reserved by allocations still in flight
 * @param weight          relative share of new accounts, {@code > 0}; see {@link Strategy} for how each strategy uses it
 * @param location        location name, or {@code null}; compared normalised (see {@link Strategy#LOCATION})
 * @param cpuUsage        percent, 0–100 (values outside are clamped when scoring)
 * @param memoryUsage     percent, 0–100
 * @param diskUsage       percent, 0–100
 * @param latencyMillis   last probe round trip
 * @param recentFailures  failed health checks in the recent window
 * @param healthy         last health probe succeeded
 * @param state           registry state; only {@link ServerState#ACTIVE} takes accounts
 * @param scriptCounts    scriptId → number of accounts running that script here (used by {@link Strategy#AFFINITY})
 * @param notReady        why an active, healthy server still takes no accounts (e.g. it has never answered
 *                        a probe or sent a heartbeat), or {@code null}
 */
public record ServerCandidate(
        String nodeId,
        int maxAccounts,
        int currentAccounts,
        int reservedAccounts,
        double weight,
        String location,
        double cpuUsage,
        double memoryUsage,
        double diskUsage,
        long latencyMillis,
        int recentFailures,
        boolean healthy,
        ServerState state,
        Map<String, Integer> scriptCounts,
        String notReady) {

    public ServerCandidate {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(state, "state");
        if (nodeId.isBlank()) {
            throw new IllegalArgumentException("nodeId must not be blank");
        }
        requireNonNegative(nodeId, "maxAccounts", maxAccounts);
        requireNonNegative(nodeId, "currentAccounts", currentAccounts);
        requireNonNegative(nodeId, "reservedAccounts", reservedAccounts);
        requireNonNegative(nodeId, "recentFailures", recentFailures);
        if (latencyMillis < 0) {
            throw new IllegalArgumentException(nodeId + ": latencyMillis must be >= 0, was " + latencyMillis);
        }
        // A zero weight would mean "never", which is what DRAINING/DISABLED already say, so it is refused.
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException(nodeId + ": weight must be a finite number > 0, was " + weight);
        }
        if (!Double.isFinite(cpuUsage) || !Double.isFinite(memoryUsage) || !Double.isFinite(diskUsage)) {
            throw new IllegalArgumentException(nodeId + ": cpu/memory/disk usage must be finite numbers");
        }
        scriptCounts = scriptCounts == null ? Map.of() : Map.copyOf(scriptCounts);
        scriptCounts.forEach((script, count) -> {
            if (count < 0) {
                throw new IllegalArgumentException(nodeId + ": script count for " + script + " must be >= 0");
            }
        });
    }

    /** A server that is ready as far as its state and health say. */
    public ServerCandidate(
            String nodeId,
            int maxAccounts,
            int currentAccounts,
            int reservedAccounts,
            double weight,
            String location,
            double cpuUsage,
            double memoryUsage,
            double diskUsage,
            long latencyMillis,
            int recentFailures,
            boolean healthy,
            ServerState state,
            Map<String, Integer> scriptCounts) {
        this(
                nodeId,
                maxAccounts,
                currentAccounts,
                reservedAccounts,
                weight,
                location,
                cpuUsage,
                memoryUsage,
                diskUsage,
                latencyMillis,
                recentFailures,
                healthy,
                state,
                scriptCounts,
                null);
    }

    /** Same as the canonical constructor with no script information. */
    public ServerCandidate(
            String nodeId,
            int maxAccounts,
            int currentAccounts,
            int reservedAccounts,
            double weight,
            String location,
            double cpuUsage,
            double memoryUsage,
            double diskUsage,
            long latencyMillis,
            int recentFailures,
            boolean healthy,
            ServerState state) {
        this(
                nodeId,
                maxAccounts,
                currentAccounts,
                reservedAccounts,
                weight,
                location,
                cpuUsage,
                memoryUsage,
                diskUsage,
                latencyMillis,
                recentFailures,
                healthy,
                state,
                Map.of());
    }

    /** Accounts counted against capacity before anything is planned. */
    public int committedAccounts() {
        return currentAccounts + reservedAccounts;
    }

    /** Active, healthy and ready: may take accounts if it has room. */
    public boolean usable() {
        return state == ServerState.ACTIVE && healthy && notReady == null;
    }

    /** Why this server cannot take accounts at all, or {@code null} when it is usable. */
    String unusableReason() {
        if (state != ServerState.ACTIVE) {
            return nodeId + " is " + state.label();
        }
        if (!healthy) {
            return nodeId + " is unhealthy";
        }
        return notReady;
    }

    private static void requireNonNegative(String nodeId, String field, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(nodeId + ": " + field + " must be >= 0, was " + value);
        }
    }
}
