package io.groupai.fleet.node;

import io.groupai.fleet.node.metrics.NodeMetrics;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.codec.AesGcmPayloadCodec;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker-node agent: {@code java -jar worker-node.jar [config.properties]} (see
 * {@link NodeConfig} for the keys). Polls {@code node-<NODE_ID>} on Temporal, heartbeats to the
 * control plane, writes {@code <deploy_dir>/run/worker-node.pid}. SIGTERM (the control plane's
 * stop) stops the accounts, closes the Telegram runtime, lets running activities finish, and
 * removes the pid file.
 */
public final class NodeAgentMain {

    private static final Logger log = LoggerFactory.getLogger(NodeAgentMain.class);

    /** Exit status when the agent gave up on an unreachable control plane (EXIT_AFTER_CONTROL_PLANE_LOST). */
    static final int EXIT_CONTROL_PLANE_LOST = 3;

    private NodeAgentMain() {}

    public static void main(String[] args) {
        NodeConfig config;
        try {
            config = NodeConfig.load(args, System.getenv());
        } catch (NodeConfig.InvalidConfigException e) {
            log.error("{}", e.getMessage());
            System.exit(2);
            return;
        }
        String file = args.length > 0 ? args[0] : System.getenv(NodeConfig.CONFIG_ENV);
        Path configFile = file == null || file.isBlank() || System.getenv("NODE_TOKEN") != null ? null : Path.of(file);
        try {
            run(config, configFile);
        } catch (Exception e) {
            log.error("worker-node {} failed to start: {}", config.nodeId(), e.getMessage(), e);
            System.exit(1);
        }
    }

    /** @param configFile where NODE_TOKEN came from, to store a rotated token in; null when it came from the environment */
    static void run(NodeConfig config, Path configFile) throws Exception {
        log.info("worker-node {} starting: {}", config.nodeId(), config);
        PidFile pidFile = new PidFile(config.deployDir());
        NodeServices services = new NodeServices(config, Clock.systemUTC());
        services.heartbeat().onTokenRotated(token -> {
            if (configFile == null) {
                log.warn("the node token was rotated, but NODE_TOKEN comes from the environment: update it there "
                        + "before the old token's grace period ends, or this node cannot reconnect after a restart");
                return;
            }
            try {
                NodeConfig.storeToken(configFile, token);
                log.info("stored the rotated node token in {}", configFile);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot write " + configFile, e);
            }
        });

        NodeMetrics metrics = startMetrics(config, services);
        WorkflowServiceStubsOptions stubOptions = temporalOptions(config, services.http());
        if (metrics != null) {
            // The SDK's worker and client metrics (polls, task latencies, slots) on the node's /metrics too.
            stubOptions = WorkflowServiceStubsOptions.newBuilder(stubOptions)
                    .setMetricsScope(metrics.temporalScope())
                    .build();
        }
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(stubOptions);
        WorkflowClient client = WorkflowClient.newInstance(stubs, clientOptions(config));
        WorkerFactory factory = WorkerFactory.newInstance(client);
        String queue = TaskQueues.node(config.nodeId());
        Worker worker = factory.newWorker(queue);
        worker.registerActivitiesImplementations(services.activities());

        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean polling = new AtomicBoolean();
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info("worker-node {} shutting down (signal)", config.nodeId());
                            try {
                                // Each step on its own: one failing must not skip stopping the accounts or the pid
                                // file.
                                if (polling.get()) {
                                    step(
                                            "stop polling",
                                            factory::shutdown); // no new activity starts on accounts being stopped
                                }
                                step("stop accounts and close the Telegram runtime", services::close);
                                if (polling.get()) {
                                    step("finish running activities", () -> {
                                        factory.awaitTermination(10, TimeUnit.SECONDS);
                                        if (!factory.isTerminated()) {
                                            log.warn("activities still running after 10 s; shutting down anyway");
                                            factory.shutdownNow();
                                        }
                                    });
                                }
                                step("close the Temporal connection", stubs::shutdownNow);
                                if (metrics != null) {
                                    step("stop serving metrics", metrics::close);
                                }
                            } finally {
                                pidFile.removeIfOurs();
                                log.info("worker-node {} stopped", config.nodeId());
                                stopped.countDown();
                            }
                        },
                        "worker-node-shutdown"));
        // Written after the hook is installed, so every exit from here on removes it.
        pidFile.write();

        if (config.exitAfterControlPlaneLost() != null) {
            // On its own thread: System.exit runs the shutdown hook, which waits for the heartbeat threads.
            services.heartbeat()
                    .exitWhenControlPlaneLost(
                            config.exitAfterControlPlaneLost(),
                            () -> Thread.ofPlatform()
                                    .name("worker-node-exit")
                                    .start(() -> System.exit(EXIT_CONTROL_PLANE_LOST)));
        }
        services.heartbeat().start();
        services.logins().start();
        awaitTemporal(client, config);
        factory.start();
        polling.set(true);
        log.info(
                "worker-node {} polling task queue {} on {} (namespace {}), Telegram runtime {}, pid {}",
                config.nodeId(),
                queue,
                config.temporalAddress(),
                config.temporalNamespace(),
                services.runtime().name(),
                pidFile.pid());
        stopped.await();
    }

    static WorkflowClientOptions clientOptions(NodeConfig config) {
        WorkflowClientOptions.Builder options =
                WorkflowClientOptions.newBuilder().setNamespace(config.temporalNamespace());
        if (config.temporalPayloadKey() != null) {
            // The control plane encrypts every payload: activity inputs arrive, and results leave, encrypted.
            options.setDataConverter(
                    AesGcmPayloadCodec.fromBase64(config.temporalPayloadKey()).dataConverter());
        }
        return options.build();
    }

    /** Metadata the control plane's Temporal gate authenticates every call by. */
    static final Metadata.Key<String> NODE_ID_HEADER =
            Metadata.Key.of("groupai-node-id", Metadata.ASCII_STRING_MARSHALLER);

    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /**
     * The node's id and current token go with every call (read per call: a rotated token takes effect
     * without a restart); TLS when TEMPORAL_TLS is set.
     */
    static WorkflowServiceStubsOptions temporalOptions(NodeConfig config, ControlPlaneHttp http) throws IOException {
        WorkflowServiceStubsOptions.Builder options = WorkflowServiceStubsOptions.newBuilder()
                .setTarget(config.temporalAddress())
                .addGrpcMetadataProvider(() -> {
                    Metadata m = new Metadata();
                    m.put(NODE_ID_HEADER, config.nodeId());
                    m.put(AUTHORIZATION, "Bearer " + http.token());
                    return m;
                });
        if (config.temporalTls()) {
            if (config.temporalTlsCa() == null) {
                options.setEnableHttps(true);
            } else {
                options.setSslContext(GrpcSslContexts.forClient()
                        .trustManager(config.temporalTlsCa().toFile())
                        .build());
            }
        }
        return options.build();
    }

    /** The node's /metrics; a port that cannot be bound costs the metrics, not the node. */
    private static NodeMetrics startMetrics(NodeConfig config, NodeServices services) {
        if (config.metricsAddress() == null) {
            return null;
        }
        try {
            return NodeMetrics.start(
                    config.nodeId(),
                    config.metricsAddress(),
                    config.deployDir().resolve("run"),
                    services.accounts()::runningCount);
        } catch (IOException e) {
            log.warn(
                    "worker-node {}: metrics not served on {}: {}",
                    config.nodeId(),
                    config.metricsAddress(),
                    e.toString());
            return null;
        }
    }

    private static void step(String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            log.error("shutdown: {} failed", what, e);
        }
    }

    /**
     * Waits until Temporal answers for the namespace: servers and the control plane may boot in any
     * order, and a node that exits instead would need someone to restart it.
     */
    private static void awaitTemporal(WorkflowClient client, NodeConfig config) throws InterruptedException {
        long pauseMs = 1000;
        while (true) {
            try {
                client.getWorkflowServiceStubs()
                        .blockingStub()
                        .describeNamespace(DescribeNamespaceRequest.newBuilder()
                                .setNamespace(config.temporalNamespace())
                                .build());
                return;
            } catch (StatusRuntimeException e) {
                log.warn(
                        "Temporal at {} (namespace {}) not usable yet: {}; retrying in {} s",
                        config.temporalAddress(),
                        config.temporalNamespace(),
                        e.getStatus().getCode(),
                        pauseMs / 1000);
                Thread.sleep(pauseMs);
                pauseMs = Math.min(pauseMs * 2, 30_000);
            }
        }
    }
}
