package io.groupai.fleet.app.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.app.cli.WorkflowCli;
import io.groupai.fleet.app.temporal.EmbeddedTemporalServer;
import io.groupai.fleet.nodes.sim.EmbeddedSshNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * REST starts the server-operation workflow on the control-plane queue of the embedded Temporal
 * server; its activities reach a simulated node over real SSH; a Temporal client in another
 * process describes the workflow over gRPC.
 */
@FleetIntegrationTest
class ServerOperationEndToEndTest {

    private static final String PASSWORD = "e2e-node-password-789";

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    EmbeddedTemporalServer temporal;

    @TempDir
    Path dir;

    Api api;
    EmbeddedSshNode node;

    @BeforeEach
    void setUp() throws IOException {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
        node = new EmbeddedSshNode("e2e-1", dir.resolve("e2e-1"), 0, "fleet", PASSWORD, List.of()).start();
        Path bin = Files.createDirectories(node.deployDir().resolve("bin"));
        Path worker = bin.resolve("worker-node");
        // Stands in for the worker-node launcher: a long-running process the pid file can name.
        Files.writeString(worker, "#!/bin/sh\nexec sleep 300\n");
        Files.setPosixFilePermissions(worker, PosixFilePermissions.fromString("rwxr-xr-x"));
        register("e2e-1", node.port(), PASSWORD);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (api.post("/api/v1/group-ai/servers/e2e-1/actions/stop", "").status() == 202) {
            awaitClosed("server-op-e2e-1");
        }
        node.close();
    }

    @Test
    void startThenStatusThenStopThroughTheWorkflow() throws Exception {
        Api.Response start = api.post("/api/v1/group-ai/servers/e2e-1/actions/start", "");
        assertThat(start.status()).as(start.body()).isEqualTo(202);
        JsonNode started = start.json();
        Api.Response concurrent = api.post("/api/v1/group-ai/servers/e2e-1/actions/restart", "");
        assertThat(concurrent.status())
                .as("a second operation on the same node while one runs")
                .isEqualTo(409);
        assertThat(concurrent.json().get("detail").asString()).contains("already running");
        assertThat(started.get("workflow_id").asString()).isEqualTo("server-op-e2e-1");
        assertThat(started.get("status_url").asString()).isEqualTo("/api/v1/group-ai/workflows/server-op-e2e-1");

        JsonNode done = awaitClosed("server-op-e2e-1");
        assertThat(done.get("status").asString()).isEqualTo("COMPLETED");
        JsonNode result = done.get("result");
        assertThat(result.get("success").asBoolean()).as(done.toString()).isTrue();
        long pid = result.get("process").get("pid").asLong();
        assertThat(ProcessHandle.of(pid))
                .as("worker pid from the pid file is alive")
                .hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
        assertThat(done.get("progress").findValuesAsString("step")).containsExactly("start worker process", "probe");

        JsonNode status = api.get("/api/v1/group-ai/servers/e2e-1/status").json();
        assertThat(status.get("status").asString()).isEqualTo("online");
        assertThat(status.get("cpu_usage").asDouble()).isBetween(0.0, 100.0);
        assertThat(status.get("memory_usage").asDouble()).isBetween(0.0, 100.0);
        assertThat(status.get("disk_usage").asDouble()).isBetween(0.0, 100.0);
        assertThat(status.get("latency_ms").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(status.get("worker_pid").asLong()).isEqualTo(pid);

        // A Temporal client in another JVM sees the same workflow over gRPC.
        String described = describeFromAnotherProcess("server-op-e2e-1");
        assertThat(described)
                .contains("type: ServerOperationWorkflow", "status: COMPLETED", "task_queue: control-plane");

        api.post("/api/v1/group-ai/servers/e2e-1/actions/stop", "");
        JsonNode stopped = awaitClosed("server-op-e2e-1");
        assertThat(stopped.get("result").get("success").asBoolean())
                .as(stopped.toString())
                .isTrue();
        assertThat(stopped.get("result").get("process").get("running").asBoolean())
                .isFalse();
        waitUntilDead(pid);
        assertThat(api.get("/api/v1/group-ai/servers/e2e-1/status")
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("offline");

        assertThat(api.get("/api/v1/group-ai/workflows?subject=server:e2e-1")
                        .json()
                        .findValuesAsString("workflow_id"))
                .containsOnly("server-op-e2e-1")
                .hasSize(2);
    }

    @Test
    void aWrongPasswordFailsFastNamingTheServerAndStepAndIsRecorded() throws Exception {
        register("e2e-bad", node.port(), "not-the-password");

        api.post("/api/v1/group-ai/servers/e2e-bad/actions/status", "");

        JsonNode done = awaitClosed("server-op-e2e-bad");
        JsonNode result = done.get("result");
        assertThat(result.get("success").asBoolean()).isFalse();
        assertThat(result.get("message").asString()).contains("e2e-bad", "auth");
        assertThat(result.get("message").asString()).doesNotContain("not-the-password");
        JsonNode status = api.get("/api/v1/group-ai/servers/e2e-bad/status").json();
        assertThat(status.get("health").asString()).isEqualTo("unhealthy");
        assertThat(status.get("consecutive_failures").asInt()).isEqualTo(1);
    }

    @Test
    void badActionsAndUnknownServersAreRejectedWithoutStartingAnything() {
        Api.Response badAction = api.post("/api/v1/group-ai/servers/e2e-1/actions/explode", "");
        assertThat(badAction.status()).isEqualTo(400);
        assertThat(badAction.json().get("detail").asString()).contains("use one of start, stop, restart, status");
        assertThat(api.post("/api/v1/group-ai/servers/ghost/actions/status", "").status())
                .isEqualTo(404);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM workflow_runs")
                        .query(Integer.class)
                        .single())
                .isZero();
    }

    private void register(String nodeId, int sshPort, String password) {
        Api.Response created =
                api.post("/api/v1/group-ai/servers", """
                {"node_id": "%s", "host": "127.0.0.1", "port": %d, "user": "fleet", "password": "%s",
                 "deploy_dir": "%s", "max_accounts": 5}""".formatted(nodeId, sshPort, password, node.deployDir()));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
    }

    private JsonNode awaitClosed(String workflowId) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            JsonNode details =
                    api.get("/api/v1/group-ai/workflows/" + workflowId).json();
            if (!"RUNNING".equals(details.get("status").asString())) {
                return details;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("workflow " + workflowId + " did not finish in 60 s");
    }

    private static void waitUntilDead(long pid) throws InterruptedException {
        for (int i = 0;
                i < 50 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                i++) {
            Thread.sleep(100);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .as("worker %d stopped", pid)
                .isFalse();
    }

    private String describeFromAnotherProcess(String workflowId) throws Exception {
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        WorkflowCli.class.getName(),
                        "describe",
                        workflowId,
                        "--address",
                        "127.0.0.1:" + temporal.port())
                .redirectErrorStream(true)
                .start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("CLI finished").isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
