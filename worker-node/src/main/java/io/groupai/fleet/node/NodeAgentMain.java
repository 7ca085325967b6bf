package io.groupai.fleet.node;

import io.groupai.fleet.node.metrics.NodeMetrics;
import io.groupai.fleet.workflows.TaskQueues;
import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
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
        try {
            run(config);
        } catch (Exception e) {
            log.error("worker-node {} failed to start: {}", config.nodeId(), e.getMessage(), e);
            System.exit(1);
        }
    }

    static void run(NodeConfig config) throws Exception {
        log.info("worker-node {} starting: {}", config.nodeId(), config);
        PidFile pidFile = new PidFile(config.deployDir());
        NodeServices services = new NodeServices(config, Clock.systemUTC());
        NodeMetrics metrics = startMetrics(config, services);

        WorkflowServiceStubsOptions.Builder stubOptions =
                WorkflowServiceStubsOptions.newBuilder().setTarget(config.temporalAddress());
        if (metrics != null) {
            // The SDK's worker and client metrics (polls, task latencies, slots) on the node's /metrics too.
            stubOptions.setMetricsScope(metrics.temporalScope());
        }
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(stubOptions.build());
        WorkflowClient client = WorkflowClient.newInstance(
                stubs,
                WorkflowClientOptions.newBuilder()
                        .setNamespace(config.temporalNamespace())
                        .build());
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
