package io.groupai.fleet.app.gate;

import io.groupai.fleet.workflows.TaskQueues;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.HandlerRegistry;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.api.workflowservice.v1.ShutdownWorkerResponse;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gRPC proxy in front of the Temporal frontend for worker nodes. Every call must carry a node's
 * id and token ({@value #NODE_ID_HEADER}, {@code authorization: Bearer <token>}); the
 * {@link GatePolicy} decides, from the decoded request, whether that node may make it; allowed
 * calls are forwarded byte for byte (the gate decodes but never re-encodes) with the caller's
 * deadline and cancellation. Everything else is answered PERMISSION_DENIED without reaching
 * Temporal.
 */
public final class TemporalGate implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TemporalGate.class);

    public static final String NODE_ID_HEADER = "groupai-node-id";
    static final Metadata.Key<String> NODE_ID = Metadata.Key.of(NODE_ID_HEADER, Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    /** Transport headers gRPC sets itself; everything else (namespace, client name/version) is passed on. */
    private static final Set<String> HOP_BY_HOP =
            Set.of("content-type", "user-agent", "te", "authorization", NODE_ID_HEADER);

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private final Server server;
    private final ExecutorService executor;

    /**
     * @param tokens true when the token is this node's current one (or its previous one, within the grace
     *               period of a rotation)
     */
    public TemporalGate(
            String bindAddress,
            int port,
            ServerCredentials credentials,
            Channel upstream,
            GatePolicy policy,
            BiPredicate<String, String> tokens) {
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        Forwarder forwarder = new Forwarder(upstream, policy, tokens);
        try {
            this.server = NettyServerBuilder.forAddress(
                            new InetSocketAddress(bindAddress, port),
                            credentials == null ? InsecureServerCredentials.create() : credentials)
                    .fallbackHandlerRegistry(new HandlerRegistry() {
                        @Override
                        public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
                            return ServerMethodDefinition.create(method(methodName), forwarder);
                        }
                    })
                    .executor(executor)
                    .maxInboundMessageSize(64 * 1024 * 1024)
                    .build()
                    .start();
        } catch (IOException e) {
            executor.close();
            throw new IllegalStateException(
                    "cannot start the Temporal gate on " + bindAddress + ":" + port
                            + " (is the port in use? set groupai.gate.port / GROUPAI_GATE_PORT): " + e.getMessage(),
                    e);
        }
    }

    public static ServerCredentials tls(String certChain, String privateKey) {
        try {
            return TlsServerCredentials.create(new File(certChain), new File(privateKey));
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot read the gate's TLS certificate " + certChain + " or key " + privateKey + ": "
                            + e.getMessage(),
                    e);
        }
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        // Cut every node connection at once, long polls included, and wait for the transports to close
        // before the executor goes: a connection that outlived this gate would keep handing tasks out
        // through it, and the nodes' answers to them would reach a new gate (after a restart) that never
        // saw them handed out, and be refused.
        server.shutdownNow();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("Temporal gate: connections still open 5 s after shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.close();
    }

    static MethodDescriptor<byte[], byte[]> method(String fullName) {
        return MethodDescriptor.newBuilder(BYTES, BYTES)
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(fullName)
                .build();
    }

    private static Metadata passOn(Metadata in) {
        Metadata out = new Metadata();
        for (String key : in.keys()) {
            if (HOP_BY_HOP.contains(key)
                    || (key.startsWith("grpc-") && !key.equals("grpc-status-details-bin"))
                    || key.startsWith(":")) {
                continue;
            }
            if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                Metadata.Key<byte[]> k = Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER);
                for (byte[] v : in.getAll(k)) {
                    out.put(k, v);
                }
            } else {
                Metadata.Key<String> k = Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER);
                for (String v : in.getAll(k)) {
                    out.put(k, v);
                }
            }
        }
        return out;
    }

    /** One handler for every method: authenticate, read the single request, decide, forward. */
    private static final class Forwarder implements ServerCallHandler<byte[], byte[]> {
        private final Channel upstream;
        private final GatePolicy policy;
        private final BiPredicate<String, String> tokens;

        Forwarder(Channel upstream, GatePolicy policy, BiPredicate<String, String> tokens) {
            this.upstream = upstream;
            this.policy = policy;
            this.tokens = tokens;
        }

        @Override
        public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], byte[]> call, Metadata headers) {
            String method = call.getMethodDescriptor().getFullMethodName();
            String nodeId = headers.get(NODE_ID);
            String authorization = headers.get(AUTHORIZATION);
            String token = authorization != null && authorization.startsWith("Bearer ")
                    ? authorization.substring(7).trim()
                    : null;
            if (nodeId == null
                    || !TaskQueues.NODE_ID.matcher(nodeId).matches()
                    || token == null
                    || !tokens.test(nodeId, token)) {
                log.warn(
                        "Temporal gate: refused {} from {}: no valid node token",
                        method,
                        call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
                call.close(
                        Status.UNAUTHENTICATED.withDescription("the Temporal gate needs a node's id (" + NODE_ID_HEADER
                                + ") and its token (authorization: Bearer <NODE_TOKEN>)"),
                        new Metadata());
                return new ServerCall.Listener<>() {};
            }
            call.request(1);
            return new ServerCall.Listener<>() {
                private byte[] request;
                private volatile ClientCall<byte[], byte[]> forwarded;

                @Override
                public void onMessage(byte[] message) {
                    request = message;
                }

                @Override
                public void onHalfClose() {
                    if (request == null) {
                        call.close(Status.INTERNAL.withDescription("no request message"), new Metadata());
                        return;
                    }
                    String refusal = policy.refusal(nodeId, method, request);
                    if (refusal != null) {
                        log.warn("Temporal gate: refused {} from node {}: {}", method, nodeId, refusal);
                        call.close(Status.PERMISSION_DENIED.withDescription(refusal), new Metadata());
                        return;
                    }
                    if (GatePolicy.answeredByGate(method)) {
                        call.sendHeaders(new Metadata());
                        call.sendMessage(
                                ShutdownWorkerResponse.getDefaultInstance().toByteArray());
                        call.close(Status.OK, new Metadata());
                        return;
                    }
                    forwarded = forward(call, nodeId, method, request, headers);
                }

                @Override
                public void onCancel() {
                    ClientCall<byte[], byte[]> f = forwarded;
                    if (f != null) {
                        f.cancel("the node cancelled the call", null);
                    }
                }
            };
        }

        private ClientCall<byte[], byte[]> forward(
                ServerCall<byte[], byte[]> call, String nodeId, String method, byte[] request, Metadata headers) {
            CallOptions options = CallOptions.DEFAULT;
            Deadline deadline = Context.current().getDeadline();
            if (deadline != null) {
                options = options.withDeadline(deadline);
            }
            ClientCall<byte[], byte[]> up = upstream.newCall(method(method), options);
            up.start(
                    new ClientCall.Listener<>() {
                        private boolean headersSent;
                        private byte[] response;

                        @Override
                        public void onHeaders(Metadata h) {
                            call.sendHeaders(passOn(h));
                            headersSent = true;
                        }

                        @Override
                        public void onMessage(byte[] message) {
                            response = message;
                            if (!headersSent) {
                                call.sendHeaders(new Metadata());
                                headersSent = true;
                            }
                            call.sendMessage(message);
                        }

                        @Override
                        public void onClose(Status status, Metadata trailers) {
                            if (status.isOk() && response != null) {
                                policy.answered(nodeId, method, request, response);
                            }
                            try {
                                call.close(status, passOn(trailers));
                            } catch (IllegalStateException alreadyClosed) {
                                // the node went away first
                            }
                        }
                    },
                    passOn(headers));
            up.sendMessage(request);
            up.halfClose();
            up.request(2);
            return up;
        }
    }
}
