package io.groupai.fleet.app.router;

import io.groupai.fleet.router.RoutingPool;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Starts the routing pool with the app (groupai.router.enabled) and stops it with the app. The
 * pool listens only once its config file exists: an app without one (most installs, every test
 * and demo run) opens no extra port; a file created later is picked up within two seconds.
 */
@Component
@ConditionalOnProperty(name = "groupai.router.enabled", havingValue = "true", matchIfMissing = true)
public class EmbeddedRoutingPool implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedRoutingPool.class);

    private final RouterProperties properties;
    private final RouterApiKeyStore keys;
    private final RoutingPoolMetrics metrics;
    private volatile RoutingPool pool;
    private volatile boolean running;
    private ScheduledExecutorService waiter;
    private long failedStamp = Long.MIN_VALUE;
    private volatile String startError;

    public EmbeddedRoutingPool(RouterProperties properties, RouterApiKeyStore keys, MeterRegistry meters) {
        this.properties = properties;
        this.keys = keys;
        this.metrics = new RoutingPoolMetrics(meters, this::pool);
    }

    @Override
    public synchronized void start() {
        running = true;
        if (Files.exists(properties.config())) {
            startPool(); // a config that exists but cannot be served fails the start: say so at once
            return;
        }
        log.info(
                "routing pool: no config at {} (groupai.router.config); it starts on port {} when the file appears",
                properties.config().toAbsolutePath(),
                properties.port());
        waiter = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "router-config-wait");
            t.setDaemon(true);
            return t;
        });
        waiter.scheduleWithFixedDelay(this::startWhenConfigAppears, 2, 2, TimeUnit.SECONDS);
    }

    private synchronized void startWhenConfigAppears() {
        if (!running || pool != null || !Files.exists(properties.config())) {
            return;
        }
        // A file that cannot be served is tried again once it changes (a fix), not every 2 s.
        long stamp;
        try {
            stamp = Files.getLastModifiedTime(properties.config()).toMillis();
        } catch (IOException e) {
            return;
        }
        if (stamp == failedStamp) {
            return;
        }
        try {
            startPool();
            waiter.shutdown();
            startError = null;
        } catch (RuntimeException e) {
            failedStamp = stamp;
            startError = e.getMessage();
            log.error(
                    "routing pool could not start with {}: {}; it tries again when the file changes",
                    properties.config(),
                    e.getMessage());
        }
    }

    /** Why the config file could not be served, until a changed file starts the pool; else null. */
    public String startError() {
        return startError;
    }

    private void startPool() {
        try {
            keys.refresh();
            RoutingPool p = RoutingPool.start(RoutingPool.Options.of(properties.config())
                    .withListen(properties.host().isBlank() ? null : properties.host(), properties.port()));
            p.keys().setExtra(keys);
            p.observe(metrics);
            pool = p;
            log.info("routing pool (OpenAI-compatible) on port {}, config {}", p.port(), properties.config());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (waiter != null) {
            waiter.shutdownNow();
        }
        RoutingPool p = pool;
        pool = null;
        if (p != null) {
            p.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** The running pool (null until its config exists, and after stop). */
    public RoutingPool pool() {
        return pool;
    }
}
