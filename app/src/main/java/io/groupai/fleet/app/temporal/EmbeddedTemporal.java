package io.groupai.fleet.app.temporal;

import java.util.Optional;

/**
 * A Temporal server this app runs for itself when no TEMPORAL_ADDRESS is configured: the
 * Temporal CLI's dev server or Temporal's Java test server. It is started by its factory and
 * stopped by {@link #close()} (idempotent), so its place in the shutdown order is explicit.
 */
public interface EmbeddedTemporal extends AutoCloseable {

    /** What it is, for the startup log and /actuator/health. */
    String description();

    /** host:port for gRPC clients. */
    String target();

    /** The Temporal Web UI, when this server serves one. */
    Optional<String> uiUrl();

    /** Whether it runs Temporal Schedules and visibility queries (ListWorkflowExecutions). */
    boolean fullServer();

    @Override
    void close();
}
