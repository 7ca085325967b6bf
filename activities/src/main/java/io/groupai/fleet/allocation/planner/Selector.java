package io.groupai.fleet.allocation.planner;

/** One strategy's choice logic over the eligible servers of a single plan. */
interface Selector {

    /** A chosen server, why, and the number the phrase includes (0 when it has none). */
    record Choice(ServerSlot slot, Why why, int detail) {

        Choice(ServerSlot slot, Why why) {
            this(slot, why, 0);
        }
    }

    /** Chooses a server with room for the account, or returns {@code null} when every eligible server is full. */
    Choice choose(AccountRequest account);

    /** Told after the account was placed on {@code slot} (its count already incremented) so rankings can move. */
    void placed(AccountRequest account, ServerSlot slot);

    /** The round-robin position to persist; other strategies return the cursor they were given. */
    default RoundRobinCursor cursor(RoundRobinCursor given) {
        return given;
    }
}
