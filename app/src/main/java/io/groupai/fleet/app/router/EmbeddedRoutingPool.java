package io.groupai.fleet.app.router;

import io.groupai.fleet.router.RoutingPool;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/** Starts the routing pool with the app (groupai.router.enabled) and stops it with the app. */
@Component
@ConditionalOnProperty(name = "groupai.router.enabled", havingValue = "true", matchIfMissing = true)
public class EmbeddedRoutingPool implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedRoutingPool.class);

    private final RouterProperties properties;
    private final RouterApiKeyStore keys;
    private volatile RoutingPool pool;

    public EmbeddedRoutingPool(RouterProperties properties, RouterApiKeyStore keys) {
        this.properties = properties;
        this.keys = keys;
    }

    @Override
    public void start() {
        try {
            keys.refresh();
            RoutingPool p = RoutingPool.start(RoutingPool.Options.of(properties.config())
                    .withListen(properties.host().isBlank() ? null : properties.host(), properties.port()));
            p.keys().setExtra(keys);
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
    public void stop() {
        RoutingPool p = pool;
        pool = null;
        if (p != null) {
            p.close();
        }
    }

    @Override
    public boolean isRunning() {
        return pool != null;
    }

    /** The running pool (null before start and after stop). */
    public RoutingPool pool() {
        return pool;
    }
}
