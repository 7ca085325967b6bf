package io.groupai.fleet.node.heartbeat;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * The node's lease on its accounts, renewed by each successful heartbeat. A lease never granted
 * counts as expired: a node that has not reached the control plane since it started must not
 * start accounts either. Expiry is judged on the node's clock against the control plane's
 * {@code lease_expires_at}; both are assumed NTP-synchronised, and failover adds its own margin.
 */
public final class Lease {

    private final Clock clock;
    private volatile Instant expiresAt;

    public Lease(Clock clock) {
        this.clock = Objects.requireNonNull(clock);
    }

    public void renew(Instant newExpiry) {
        expiresAt = newExpiry;
    }

    public boolean valid() {
        Instant e = expiresAt;
        return e != null && clock.instant().isBefore(e);
    }

    /** Null when never granted. */
    public Instant expiresAt() {
        return expiresAt;
    }
}
