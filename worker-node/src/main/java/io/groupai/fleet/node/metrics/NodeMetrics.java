package io.groupai.fleet.node.metrics;

import com.sun.net.httpserver.HttpServer;
import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's own metrics, as Prometheus text on {@code GET /metrics} and {@code GET
 * /actuator/prometheus} (JDK HttpServer, on
 * METRICS_ADDRESS, loopback by default): accounts running, message processing latency, script
 * decisions, JVM memory/GC/threads/CPU, every series tagged {@code node}. The agent's code records
 * through {@link #messageProcessed} and {@link #scriptDecision} (Micrometer's global registry, a
 * no-op where no NodeMetrics runs, e.g. in unit tests).
 */
public final class NodeMetrics implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeMetrics.class);

    private final PrometheusMeterRegistry registry;
    private final HttpServer server;
    private final JvmGcMetrics gc;

    private NodeMetrics(PrometheusMeterRegistry registry, HttpServer server, JvmGcMetrics gc) {
        this.registry = registry;
        this.server = server;
        this.gc = gc;
    }

    /**
     * Starts serving; the bound port goes to {@code <runDir>/metrics.port} (port 0 picks a free one).
     *
     * @param accountsRunning how many accounts run on this node now
     */
    public static NodeMetrics start(String nodeId, InetSocketAddress address, Path runDir, IntSupplier accountsRunning)
            throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("node", nodeId);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        Gauge.builder("groupai.node.accounts.running", accountsRunning, s -> s.getAsInt())
                .description("accounts running on this node")
                .strongReference(true) // the supplier is often a method reference nothing else holds
                .register(registry);
        Metrics.addRegistry(registry);

        HttpServer server = HttpServer.create(address, 0);
        com.sun.net.httpserver.HttpHandler scrape = exchange -> {
            try (exchange) {
                if (!exchange.getRequestMethod().equals("GET")) {
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        };
        server.createContext("/metrics", scrape);
        // The app's path too, so one Prometheus job definition (metrics_path) fits the app and its nodes.
        server.createContext("/actuator/prometheus", scrape);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "node-metrics");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        int port = server.getAddress().getPort();
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve("metrics.port"), port + "\n");
        log.info("metrics on http://{}:{}/metrics", address.getHostString(), port);
        return new NodeMetrics(registry, server, gc);
    }

    /** A Tally scope reporting into this registry, for the Temporal SDK (WorkflowServiceStubsOptions.setMetricsScope). */
    public Scope temporalScope() {
        return new RootScopeBuilder()
                .reporter(new MicrometerClientStatsReporter(registry))
                .reportEvery(com.uber.m3.util.Duration.ofSeconds(10));
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String scrape() {
        return registry.scrape();
    }

    /** One incoming message handled by an account: from its arrival to the reply sent (or none). */
    public static void messageProcessed(Duration took) {
        io.micrometer.core.instrument.Timer.builder("groupai.node.message.processing")
                .description("an incoming message, from arrival to the scripted reply sent (or none)")
                .publishPercentiles(0.5, 0.99)
                .register(Metrics.globalRegistry)
                .record(took);
    }

    /** What the dialogue script decided for a message: reply, no_match, no_script. */
    public static void scriptDecision(String decision) {
        Metrics.counter("groupai.node.script.decisions", "decision", decision).increment();
    }

    @Override
    public void close() {
        server.stop(0);
        Metrics.removeRegistry(registry);
        gc.close();
        registry.close();
    }
}
