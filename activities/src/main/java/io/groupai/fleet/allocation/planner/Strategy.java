package io.groupai.fleet.allocation.planner;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How the planner chooses among eligible servers. Names match the seed's API values.
 *
 * <p>Every strategy only considers eligible servers (ACTIVE, healthy, not full) and breaks ties by
 * nodeId. "Count" below is current + reserved + already planned. Server {@code weight} divides the account
 * count wherever a strategy compares counts, so a weight-2 server keeps being chosen until it holds twice the
 * accounts of a comparable weight-1 server — twice the share when capacities (and, for load-based strategies,
 * metrics) are equal. "Weighted score" is the {@link LoadScore} of the configured {@link ScoreModel} with the
 * account fill computed from {@code count / weight} (cpu, memory, disk, latency, failures are not weighted).
 */
public enum Strategy {
    /** Equal counts: lowest {@code count / weight}. 8 accounts on 3 empty servers of 5 → 3/3/2 in nodeId order. */
    BALANCED("balanced"),
    /**
     * Servers in nodeId order, starting at the caller's {@link RoundRobinCursor}, skipping full ones. A server
     * takes {@code max(1, round(weight / smallest weight))} consecutive turns per visit, so weights act as whole
     * multiples of the smallest one (1.5 vs 1 behaves as 2 vs 1); the cursor remembers turns already taken.
     */
    ROUND_ROBIN("round_robin"),
    /** Lowest usage ratio {@code count / weight / maxAccounts}. */
    LEAST_LOADED("least_loaded"),
    /** Lowest weighted score, re-scored after every account. The seed's default strategy. */
    LOAD_BALANCE("load_balance"),
    /**
     * Servers whose location equals the account's preference (case-insensitive, ignoring spaces, '_' and '-')
     * by lowest weighted score; then all others the same way. No preference → as {@link #LOAD_BALANCE}.
     */
    LOCATION("location"),
    /**
     * Accounts with a script go to the eligible server running most accounts of that script (existing plus
     * planned; ties by nodeId); when none has room, by lowest weighted score. No script → load_balance.
     */
    AFFINITY("affinity"),
    /** Fewest {@code recentFailures} first (0 before 1 before 2 …), then lowest weighted score. */
    ISOLATION("isolation");

    private final String wireName;

    Strategy(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in APIs and configuration, e.g. {@code "load_balance"}. */
    public String wireName() {
        return wireName;
    }

    /**
     * Parses a wire name, case-insensitively and trimmed.
     *
     * @throws IllegalArgumentException naming the valid values when the name is unknown or null
     */
    public static Strategy parse(String name) {
        if (name != null) {
            String wanted = name.trim().toLowerCase(Locale.ROOT);
            for (Strategy s : values()) {
                if (s.wireName.equals(wanted)) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("unknown allocation strategy '" + name + "'; valid: " + validNames());
    }

    /** Comma-separated wire names, for messages. */
    public static String validNames() {
        return Arrays.stream(values()).map(Strategy::wireName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return wireName;
    }
}
