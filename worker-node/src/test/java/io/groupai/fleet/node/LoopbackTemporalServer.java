package io.groupai.fleet.node;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Temporal's Java test server over gRPC on 127.0.0.1 only (TestServer.createPortBoundServer would
 * listen on every interface). Same logic as the app's EmbeddedTemporalServer, which worker-node
 * cannot depend on.
 */
final class LoopbackTemporalServer implements AutoCloseable {

    private final TestServicesStarter services;
    private final Server server;

    LoopbackTemporalServer() throws IOException {
        services = new TestServicesStarter(true, 0);
        ServerBuilder<?> builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
        GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
        try {
            server = builder.build().start();
        } catch (IOException e) {
            services.close();
            throw e;
        }
    }

    String target() {
        return "127.0.0.1:" + server.getPort();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdown();
        if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
            server.shutdownNow();
        }
        services.close();
    }
}
