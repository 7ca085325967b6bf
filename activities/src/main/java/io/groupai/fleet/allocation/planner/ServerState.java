package io.groupai.fleet.allocation.planner;

/** Operational state of a worker server as the registry records it. Only {@link #ACTIVE} servers take new accounts. */
public enum ServerState {
    ACTIVE,
    /** Being emptied on purpose; keeps its accounts but takes no new ones. */
    DRAINING,
    /** Switched off by an operator. */
    DISABLED,
    /** Declared dead by the node supervisor. */
    DOWN;

    /** Lower-case name used in reasons shown to operators. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
