package io.groupai.fleet.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.workflows.agent.NodePing;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent process (NodeAgentMain on the test classpath) against a gRPC Temporal server on
 * 127.0.0.1 and an in-test control plane: it answers ping on node-&lt;id&gt;, writes its pid file,
 * heartbeats, and on SIGTERM shuts down and removes the pid file.
 */
class NodeAgentProcessTest {

    @TempDir
    Path deployDir;

    @Test
    void agentProcessAnswersPingOnItsQueueAndCleansUpOnSigterm() throws Exception {
        try (LoopbackTemporalServer temporal = new LoopbackTemporalServer();
                FakeControlPlane controlPlane = new FakeControlPlane()) {
            Path conf = Files.createDirectories(deployDir.resolve("conf")).resolve("worker-node.properties");
            Files.writeString(
                    conf,
                    String.join(
                            "\n",
                            "NODE_ID=proc-node",
                            "NODE_TOKEN=" + FakeControlPlane.TOKEN,
                            "DEPLOY_DIR=" + deployDir,
                            "TEMPORAL_ADDRESS=" + temporal.target(),
                            "CONTROL_PLANE_URL=" + controlPlane.url(),
                            "HEARTBEAT_INTERVAL=1s",
                            ""));
            Path log = deployDir.resolve("agent.log");
            Process agent = startAgent(conf, log);
            WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                    .setTarget(temporal.target())
                    .build());
            try {
                WorkflowClient client = WorkflowClient.newInstance(stubs);
                WorkerFactory factory = WorkerFactory.newInstance(client);
                factory.newWorker("agent-test").registerWorkflowImplementationTypes(PingWorkflow.Impl.class);
                factory.start();

                NodePing ping = client.newWorkflowStub(
                                PingWorkflow.class,
                                WorkflowOptions.newBuilder()
                                        .setTaskQueue("agent-test")
                                        .setWorkflowExecutionTimeout(Duration.ofSeconds(120))
                                        .build())
                        .ping("proc-node");
                assertThat(ping.nodeId()).isEqualTo("proc-node");
                assertThat(ping.telegramRuntime()).isEqualTo("simulated");
                assertThat(ping.pid()).isEqualTo(agent.pid());

                Path pidFile = deployDir.resolve("run/worker-node.pid");
                assertThat(pidFile).hasContent(Long.toString(agent.pid()));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (controlPlane.heartbeats.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(controlPlane.heartbeats).isNotEmpty();
                assertThat(controlPlane.heartbeats.get(0).get("node_id").asText())
                        .isEqualTo("proc-node");
                for (String dir : List.of("run", "logs", "sessions", "exports", "scripts")) {
                    assertThat(deployDir.resolve(dir)).isDirectory();
                }

                agent.destroy(); // SIGTERM
                assertThat(agent.waitFor(30, TimeUnit.SECONDS))
                        .as("agent exits after SIGTERM")
                        .isTrue();
                assertThat(pidFile).doesNotExist();
                String output = Files.readString(log);
                assertThat(output).contains("polling task queue node-proc-node", "worker-node proc-node stopped");
                assertThat(output).doesNotContain(FakeControlPlane.TOKEN);
                factory.shutdownNow();
            } finally {
                agent.destroyForcibly();
                stubs.shutdownNow();
            }
        }
    }

    private static Process startAgent(Path conf, Path log) throws java.io.IOException {
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        NodeAgentMain.class.getName(),
                        conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // The test machine's own settings must not leak into the agent's configuration.
        pb.environment().keySet().removeAll(NodeConfig.KEYS);
        pb.environment().remove(NodeConfig.CONFIG_ENV);
        return pb.start();
    }

    /** The local demo's setting: an agent whose control plane is gone exits by itself and cleans up. */
    @Test
    void agentExitsByItselfWhenItsControlPlaneStaysUnreachable() throws Exception {
        Path conf = Files.createDirectories(deployDir.resolve("conf")).resolve("worker-node.properties");
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "NODE_ID=orphan-node",
                        "NODE_TOKEN=" + FakeControlPlane.TOKEN,
                        "DEPLOY_DIR=" + deployDir,
                        // Nothing listens on either: neither Temporal nor the control plane is there.
                        "TEMPORAL_ADDRESS=127.0.0.1:" + closedPort,
                        "CONTROL_PLANE_URL=http://127.0.0.1:" + closedPort,
                        "HEARTBEAT_INTERVAL=1s",
                        "EXIT_AFTER_CONTROL_PLANE_LOST=3s",
                        ""));
        Path log = deployDir.resolve("agent.log");
        Process agent = startAgent(conf, log);
        try {
            assertThat(agent.waitFor(60, TimeUnit.SECONDS))
                    .as("agent exits by itself")
                    .isTrue();
            assertThat(agent.exitValue()).isEqualTo(NodeAgentMain.EXIT_CONTROL_PLANE_LOST);
            assertThat(deployDir.resolve("run/worker-node.pid")).doesNotExist();
            assertThat(Files.readString(log))
                    .contains("the control plane is gone; exiting", "worker-node orphan-node stopped");
        } finally {
            agent.destroyForcibly();
        }
    }

    @Test
    void invalidConfigurationExitsWithCode2AndSaysWhy() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        NodeAgentMain.class.getName())
                .redirectErrorStream(true);
        pb.environment().keySet().removeAll(NodeConfig.KEYS);
        pb.environment().remove(NodeConfig.CONFIG_ENV);
        pb.environment().put("NODE_ID", "UPPER");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out).contains("NODE_ID 'UPPER' must match", "NODE_TOKEN is required", "DEPLOY_DIR is required");
    }
}
