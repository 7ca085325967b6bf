package io.groupai.fleet.workflows.allocation;

import java.util.Locale;

/** Why an account was placed, as recorded in allocation_history.allocation_type. */
public enum AllocationType {
    /** Placed by a strategy (auto, or a single account allocation). */
    INITIAL,
    /** Placed where an operator said (batch). */
    MANUAL,
    /** Moved from one server to another. */
    REBALANCE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
