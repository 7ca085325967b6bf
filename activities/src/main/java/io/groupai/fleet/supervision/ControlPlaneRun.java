package io.groupai.fleet.supervision;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Since when this control plane has been running without a break: its start, or the end of the last
 * stall (the process suspended, its VM paused, a frozen JVM) during which no heartbeat could be
 * answered. A lease that ran out before then ran out while nobody could renew it: it is not held
 * against the node until a lease TTL later (its heartbeats resume within an interval). Noticed by a
 * tick every second, and by every {@link #observe()} (a supervisor's check calls it first, so a
 * check that runs the moment the process resumes already knows).
 */
@Component
public class ControlPlaneRun implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ControlPlaneRun.class);

    static final Duration TICK = Duration.ofSeconds(1);
    /** A gap between two observations longer than this is a stall (far above any scheduling delay). */
    static final Duration STALL = Duration.ofSeconds(15);

    private final Clock clock;
    private Instant since;
    private Instant last;
    private ScheduledExecutorService ticker;

    @Autowired
    public ControlPlaneRun(Clock clock) {
        this.clock = clock;
        this.since = clock.instant();
        this.last = since;
    }

    /** Notes that the control plane runs now; returns since when it has run without a stall. */
    public synchronized Instant observe() {
        Instant now = clock.instant();
        Duration gap = Duration.between(last, now);
        // Only while the tick runs: before it starts, the app is still starting (that counts from construction).
        if (ticker != null && gap.compareTo(STALL) > 0) {
            since = now;
            log.warn(
                    "the control plane did not run for {} s (suspended or paused) until {}: leases that ran out "
                            + "meanwhile are not held against their nodes for another lease TTL",
                    gap.toSeconds(),
                    now);
        }
        last = now;
        return since;
    }

    /**
     * How long a lease that expired at {@code leaseExpiresAt} is still not held against its node: more
     * than 0 when it ran out before this run began and a lease TTL has not passed since.
     */
    public long graceMillis(Instant leaseExpiresAt, Instant now, Duration leaseTtl) {
        Instant runningSince = observe();
        if (leaseExpiresAt == null || !leaseExpiresAt.isBefore(runningSince)) {
            return 0;
        }
        return Math.max(0, Duration.between(now, runningSince.plus(leaseTtl)).toMillis());
    }

    @Override
    public synchronized void start() {
        if (ticker != null) {
            return;
        }
        // The app was starting until now: heartbeats could not be answered before, so this run begins here.
        since = clock.instant();
        last = since;
        ticker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("control-plane-run").factory());
        ticker.scheduleWithFixedDelay(this::observe, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (ticker != null) {
            ticker.shutdownNow();
            ticker = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return ticker != null;
    }
}
