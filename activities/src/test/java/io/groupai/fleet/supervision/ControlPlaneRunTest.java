package io.groupai.fleet.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Leases that ran out while the control plane could not answer heartbeats (starting, or stalled: the
 * process suspended for 2 minutes) are not held against their nodes for a lease TTL; leases that run
 * out while it runs are.
 */
class ControlPlaneRunTest {

    static final Duration LEASE = Duration.ofSeconds(90);

    final SteppingClock clock = new SteppingClock(Instant.parse("2026-12-02T10:00:00Z"));
    final ControlPlaneRun run = new ControlPlaneRun(clock);

    @AfterEach
    void stop() {
        run.stop();
    }

    @Test
    void aLeaseThatRanOutWhileTheControlPlaneWasStalledIsExcusedForALeaseTtl() {
        run.start();
        tick(Duration.ofSeconds(60));
        Instant lastHeartbeat = clock.instant();
        // Suspended for 2 minutes (kill -STOP): the node's heartbeats go unanswered, its lease runs out at +90 s.
        clock.advance(Duration.ofMinutes(2));
        Instant expiry = lastHeartbeat.plus(LEASE);

        assertThat(run.graceMillis(expiry, clock.instant(), LEASE))
                .as("a lease TTL from the resume")
                .isEqualTo(LEASE.toMillis());
        tick(Duration.ofSeconds(30));
        assertThat(run.graceMillis(expiry, clock.instant(), LEASE))
                .isEqualTo(LEASE.minusSeconds(30).toMillis());
        tick(Duration.ofSeconds(61));
        assertThat(run.graceMillis(expiry, clock.instant(), LEASE)).isZero();
    }

    @Test
    void aLeaseThatRunsOutWhileTheControlPlaneRunsIsTheNodes() {
        run.start();
        Instant expiry = clock.instant().plusSeconds(20);
        tick(Duration.ofSeconds(30));
        assertThat(run.graceMillis(expiry, clock.instant(), LEASE)).isZero();
    }

    @Test
    void aLeaseThatRanOutBeforeTheStartIsExcusedUntilALeaseTtlAfterIt() {
        Instant expiry = clock.instant().minusSeconds(30);
        clock.advance(Duration.ofSeconds(40)); // the app starting
        run.start();
        assertThat(run.graceMillis(expiry, clock.instant(), LEASE)).isEqualTo(LEASE.toMillis());
    }

    /** Advances the clock second by second, observing each, as the control plane's tick does. */
    private void tick(Duration total) {
        for (long s = 0; s < total.toSeconds(); s++) {
            clock.advance(Duration.ofSeconds(1));
            run.observe();
        }
    }

    static final class SteppingClock extends Clock {
        private volatile Instant now;

        SteppingClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
