package io.groupai.fleet.app.temporal;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Temporal's own Java test server, reachable over gRPC like any Temporal server. Unlike
 * {@code TestServer.createPortBoundServer}, which listens on every interface, it binds only the
 * configured address (loopback by default). Time skipping is locked: it runs in real time.
 * Everything it holds lives in memory and is gone when it stops.
 */
public final class EmbeddedTemporalServer implements EmbeddedTemporal {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedTemporalServer.class);

    private final TestServicesStarter services;
    private final Server server;
    private final String host;
    private final AtomicBoolean closed = new AtomicBoolean();

    public EmbeddedTemporalServer(String bindAddress, int port) {
        this.host = bindAddress;
        this.services = new TestServicesStarter(true, 0);
        ServerBuilder<?> builder = NettyServerBuilder.forAddress(new InetSocketAddress(bindAddress, port));
        GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
        try {
            this.server = builder.build().start();
        } catch (IOException e) {
            services.close();
            throw new UncheckedIOException(
                    "cannot start the embedded Temporal server on " + bindAddress + ":" + port
                            + " (is another Temporal server running there? Set TEMPORAL_ADDRESS to use it, or "
                            + "groupai.temporal.embedded.port to pick another port)",
                    e);
        }
        log.info("embedded Temporal server (Temporal's Java test server, in memory) listening on {}", target());
    }

    @Override
    public String description() {
        return "Temporal's Java test server (in memory: no Schedules, no workflow list, nothing survives a restart)";
    }

    @Override
    public Optional<String> uiUrl() {
        return Optional.empty();
    }

    @Override
    public boolean fullServer() {
        return false;
    }

    @Override
    public String target() {
        String shown = host.contains(":") ? "[" + host + "]" : host;
        return shown + ":" + server.getPort();
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        services.close();
        log.info("embedded Temporal server stopped");
    }
}
