package io.groupai.fleet.router;

import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upstream (an "account" in the seed) and its live state: health, concurrency, counters, and
 * its idle keep-alive connections, kept per event loop so a request never hops threads.
 */
public final class Instance {

    private static final Logger log = LoggerFactory.getLogger(Instance.class);

    public enum Status {
        /** Not checked yet; routable (optimistic until the first health check). */
        UNKNOWN("unknown"),
        HEALTHY("healthy"),
        UNHEALTHY("unhealthy"),
        /** Too many consecutive request failures: skipped until cooldown_until. */
        COOLDOWN("cooldown"),
        /** A managed instance being (re)started. */
        STARTING("starting");

        final String json;

        Status(String json) {
            this.json = json;
        }

        public String json() {
            return json;
        }
    }

    private volatile RouterConfig.Account account;
    final String host;
    final int port;
    /** The base URL's path ("" or e.g. "/openai"); a trailing /v1 is dropped, requests carry their own. */
    final String basePath;

    private volatile boolean enabled;
    private volatile Status status = Status.UNKNOWN;
    private volatile long cooldownUntilNanos;
    private volatile long cooldownUntilEpochMillis;
    private volatile long lastHeartbeatMillis; // epoch millis of the last good health check, 0 = never
    private volatile String lastError;
    final AtomicInteger current = new AtomicInteger();
    final AtomicLong total = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    /** Smooth weighted round robin's running weight; guarded by the pool's lock. */
    long swrrCurrent;

    final ConcurrentHashMap<EventExecutor, ArrayDeque<Channel>> idle = new ConcurrentHashMap<>();

    Instance(RouterConfig.Account account) {
        this.account = account;
        URI uri = URI.create(account.baseUrl());
        this.host = uri.getHost();
        this.port = uri.getPort() > 0 ? uri.getPort() : 80;
        String p = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
        this.basePath = p.endsWith("/v1") ? p.substring(0, p.length() - 3) : p;
        this.enabled = account.enabled();
    }

    public String id() {
        return account.id();
    }

    public RouterConfig.Account account() {
        return account;
    }

    void update(RouterConfig.Account next) {
        if (next.enabled() != account.enabled()) {
            setEnabled(next.enabled(), "config file");
        }
        this.account = next;
    }

    public boolean enabled() {
        return enabled;
    }

    void setEnabled(boolean value, String by) {
        if (enabled != value) {
            enabled = value;
            log.info("instance {} ({}) {} by {}", id(), account.baseUrl(), value ? "enabled" : "disabled", by);
        }
    }

    public int weight() {
        return account.weight();
    }

    public int maxConcurrent() {
        return account.maxConcurrent();
    }

    public int currentConcurrent() {
        return current.get();
    }

    public long totalRequests() {
        return total.get();
    }

    public long failedRequests() {
        return failed.get();
    }

    /** Epoch milliseconds of the last passed health check, 0 = never. */
    public long lastHeartbeatMillis() {
        return lastHeartbeatMillis;
    }

    public String lastError() {
        return lastError;
    }

    public long cooldownUntilEpochMillis() {
        return status(System.nanoTime()) == Status.COOLDOWN ? cooldownUntilEpochMillis : 0;
    }

    /** The status as of now: a cooldown that has run out reads as healthy again. */
    public Status status(long nowNanos) {
        Status s = status;
        if (s == Status.COOLDOWN && nowNanos - cooldownUntilNanos >= 0) {
            synchronized (this) {
                if (status == Status.COOLDOWN && nowNanos - cooldownUntilNanos >= 0) {
                    setStatus(Status.HEALTHY, "cooldown over");
                    consecutiveFailures.set(0);
                }
            }
            return status;
        }
        return s;
    }

    /** Enabled, not unhealthy, not cooling down, not starting. */
    boolean routable(long nowNanos) {
        if (!enabled) {
            return false;
        }
        Status s = status(nowNanos);
        return s == Status.HEALTHY || s == Status.UNKNOWN;
    }

    boolean full() {
        int max = account.maxConcurrent();
        return max > 0 && current.get() >= max;
    }

    /** Takes a concurrency slot if one is free (max_concurrent 0 = no limit). */
    boolean tryAcquire() {
        int max = account.maxConcurrent();
        if (max <= 0) {
            current.incrementAndGet();
            return true;
        }
        for (; ; ) {
            int c = current.get();
            if (c >= max) {
                return false;
            }
            if (current.compareAndSet(c, c + 1)) {
                return true;
            }
        }
    }

    void release() {
        current.decrementAndGet();
    }

    void recordSuccess() {
        total.incrementAndGet();
        consecutiveFailures.set(0);
    }

    /**
     * A failed request (connection error, 5xx, died mid-stream, timed out). After allowed_fails in
     * a row the instance cools down for cooldown_time.
     */
    void recordFailure(String why, int allowedFails, java.time.Duration cooldown) {
        total.incrementAndGet();
        failed.incrementAndGet();
        lastError = why;
        int n = consecutiveFailures.incrementAndGet();
        log.warn("instance {} ({}): request failed: {} ({} in a row)", id(), account.baseUrl(), why, n);
        if (n >= allowedFails && !cooldown.isZero()) {
            synchronized (this) {
                if (status != Status.COOLDOWN) {
                    cooldownUntilNanos = System.nanoTime() + cooldown.toNanos();
                    cooldownUntilEpochMillis = System.currentTimeMillis() + cooldown.toMillis();
                    setStatus(
                            Status.COOLDOWN,
                            n + " consecutive failures, cooling down for " + cooldown.toMillis() / 1000.0 + " s");
                }
            }
        }
    }

    /** A health check result. */
    void healthResult(boolean ok, String detail) {
        if (ok) {
            lastHeartbeatMillis = System.currentTimeMillis();
            synchronized (this) {
                if (status != Status.COOLDOWN && status != Status.HEALTHY) {
                    setStatus(Status.HEALTHY, "health check passed");
                }
            }
        } else {
            lastError = detail;
            synchronized (this) {
                if (status != Status.UNHEALTHY && status != Status.STARTING) {
                    setStatus(Status.UNHEALTHY, "health check failed: " + detail);
                }
            }
        }
    }

    synchronized void setStatus(Status next, String why) {
        Status prev = status;
        if (prev != next) {
            status = next;
            if (next == Status.HEALTHY || next == Status.STARTING) {
                log.info("instance {} ({}): {} -> {} ({})", id(), account.baseUrl(), prev.json, next.json, why);
            } else {
                log.warn("instance {} ({}): {} -> {} ({})", id(), account.baseUrl(), prev.json, next.json, why);
            }
        }
    }

    /** Closes the idle upstream connections (instance removed or pool stopped). */
    void closeIdle() {
        idle.forEach((loop, q) -> loop.execute(() -> {
            Channel c;
            while ((c = q.poll()) != null) {
                c.close();
            }
        }));
    }
}
