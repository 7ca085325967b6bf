package io.groupai.fleet.app.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.nodes.ssh.testing.OpenSshServer;
import io.groupai.fleet.nodes.ssh.testing.OpenSshServerExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bootstrap onto a real OpenSSH server that has no usable Java: this machine's {@code java} on
 * PATH is 17, older than the agent needs, and the sshd session does not inherit the test's
 * JAVA_HOME. The distribution brings its own runtime, so the agent still comes up and polls its
 * queue; a second bootstrap finds the same runtime and does not upload it again.
 */
@FleetIntegrationTest
class OpenSshBootstrapTest {

    static final String NODE = "openssh-boot";

    @RegisterExtension
    static final OpenSshServerExtension SSHD = new OpenSshServerExtension();

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    io.groupai.fleet.registry.NodeTokenStore tokens;

    Api api;

    OpenSshServer sshd;

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
        sshd = SSHD.server();
    }

    @AfterEach
    void stopAgent() {
        if (api != null) {
            api.post("/api/v1/group-ai/servers/" + NODE + "/actions/stop", "");
            awaitEnd("server-op-" + NODE, Duration.ofSeconds(60));
        }
    }

    private void registerServer(boolean withToken) {
        registerServer(withToken, "auto");
    }

    /** @param serviceMode the server's own service_mode (the tests' global one is pidfile) */
    private void registerServer(boolean withToken, String serviceMode) {
        Map<String, Object> server = new HashMap<>(Map.of(
                "node_id",
                NODE,
                "host",
                "127.0.0.1",
                "port",
                sshd.port(),
                "user",
                sshd.user(),
                "private_key",
                sshd.privateKeyPem(),
                "deploy_dir",
                sshd.deployDir().toString(),
                "max_accounts",
                5));
        server.put("service_mode", serviceMode);
        if (withToken) {
            server.put("node_token", "openssh-boot-token-0123456789abcdef");
        }
        Api.Response created = api.post(
                "/api/v1/group-ai/servers", JsonMapper.builder().build().writeValueAsString(server));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
    }

    @Test
    void theAgentRunsOnTheShippedRuntimeAndTheRuntimeIsUploadedOncePerVersion() throws Exception {
        registerServer(true);
        deleteTree(sshd.deployDir().resolve("runtime")); // a server without it, whatever ran before

        JsonNode first = bootstrap();
        assertThat(first.get("status").asString()).as(first.toString()).isEqualTo("COMPLETED");
        JsonNode steps = first.get("result").get("steps");
        assertThat(steps.findValuesAsString("state")).allMatch("DONE"::equals);
        assertThat(step(steps, "check server")).contains("Linux x86_64, glibc");
        assertThat(step(steps, "install java runtime")).contains(sshd.deployDir() + "/runtime", "bytes uploaded");
        assertThat(step(steps, "wait for first poll of node-" + NODE)).contains("answered");
        // This machine has no systemd as PID 1: auto detects that over SSH and keeps the pid file.
        assertThat(step(steps, "install service"))
                .isEqualTo("pidfile: systemd is not running here (no /run/systemd/system); pid file " + sshd.deployDir()
                        + "/run/worker-node.pid");
        JsonNode view = api.get("/api/v1/group-ai/servers/" + NODE).json();
        assertThat(view.get("service_mode").asString()).isEqualTo("auto");
        assertThat(view.get("node_service").asString()).isEqualTo("pidfile");
        assertThat(view.get("service_unit").isNull()).isTrue();
        steps.forEach(s -> assertThat(s.get("duration_millis").asLong()).isNotNegative());

        // The agent's JVM is the shipped one, not the server's java 17 on PATH.
        long pid = Long.parseLong(Files.readString(sshd.deployDir().resolve("run/worker-node.pid"))
                .strip());
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString())
                .startsWith(sshd.deployDir().toRealPath() + "/runtime/");
        assertThat(api.get("/api/v1/group-ai/servers/" + NODE + "/status")
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("online");

        JsonNode second = bootstrap();
        assertThat(second.get("status").asString()).as(second.toString()).isEqualTo("COMPLETED");
        // Numbers for the README, not assertions: how long each bootstrap step took on this machine.
        System.out.println("bootstrap onto OpenSSH, first: " + durations(first) + "; again: " + durations(second));
        assertThat(step(second.get("result").get("steps"), "install java runtime"))
                .contains("already installed, upload skipped");
        // The first agent no longer runs: the files the second bootstrap installed are what runs now.
        long again = Long.parseLong(Files.readString(sshd.deployDir().resolve("run/worker-node.pid"))
                .strip());
        assertThat(again).isNotEqualTo(pid);
        assertThat(runs(pid)).as("the first agent, pid " + pid).isFalse();
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + again + "/exe")).toString())
                .startsWith(sshd.deployDir().toRealPath() + "/runtime/");
    }

    @Test
    void systemdAskedForOnAServerWithoutItFailsAtTheServiceStepNamingServerAndReasonAndStartsNothing()
            throws Exception {
        registerServer(true, "systemd");
        Files.deleteIfExists(sshd.deployDir().resolve("run/worker-node.pid"));

        JsonNode run = bootstrap();

        assertThat(run.get("status").asString()).as(run.toString()).isEqualTo("FAILED");
        assertThat(run.get("failure").asString())
                .contains(
                        "bootstrap of " + NODE + " failed at step 'install service'",
                        "server " + NODE + ", step install service: service_mode is systemd (set on this server)",
                        "systemd is not running here (no /run/systemd/system)",
                        "set service_mode to auto");
        JsonNode last = run.get("progress").get(run.get("progress").size() - 1);
        assertThat(last.get("step").asString()).isEqualTo("install service");
        assertThat(last.get("state").asString()).isEqualTo("FAILED");
        assertThat(sshd.deployDir().resolve("run/worker-node.pid")).doesNotExist();
        assertThat(api.get("/api/v1/group-ai/servers/" + NODE)
                        .json()
                        .get("node_service")
                        .isNull())
                .isTrue();
    }

    @Test
    void anUnknownServiceModeIsRefusedWithWhatIsAllowed() {
        Api.Response refused = api.post(
                "/api/v1/group-ai/servers",
                "{\"node_id\":\"mode-typo\",\"host\":\"127.0.0.1\",\"user\":\"deploy\",\"deploy_dir\":\"/srv/x\","
                        + "\"max_accounts\":1,\"service_mode\":\"upstart\"}");
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.body()).contains("service_mode", "auto", "systemd", "pidfile");
    }

    @Test
    void aFailedBootstrapIsAFailedWorkflowThatNamesTheStepAndTheServer() throws Exception {
        registerServer(false); // no node token: bootstrap generates one
        // A regular file where the config directory belongs: the node config cannot be written.
        Path conf = sshd.deployDir().resolve("conf");
        deleteTree(conf);
        Files.writeString(conf, "in the way");
        try {
            JsonNode run = bootstrap();

            assertThat(run.get("status").asString()).as(run.toString()).isEqualTo("FAILED");
            assertThat(run.get("result").isNull()).isTrue();
            assertThat(run.get("failure").asString())
                    .contains("bootstrap of " + NODE + " failed at step 'write node config'");
            JsonNode last = run.get("progress").get(run.get("progress").size() - 1);
            assertThat(last.get("step").asString()).isEqualTo("write node config");
            assertThat(last.get("state").asString()).isEqualTo("FAILED");
            // The token bootstrap generated is kept (hashed) for the next attempt, and never shown.
            assertThat(jdbc.sql("SELECT COUNT(*) FROM node_tokens WHERE node_id = ?")
                            .param(NODE)
                            .query(Integer.class)
                            .single())
                    .isEqualTo(1);
            assertThat(run.toString()).doesNotContain(tokens.reveal(NODE).orElseThrow());
        } finally {
            Files.deleteIfExists(conf);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    private JsonNode bootstrap() {
        Api.Response started = api.post("/api/v1/group-ai/servers/" + NODE + "/bootstrap", "");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        return awaitEnd("bootstrap-" + NODE, Duration.ofMinutes(3));
    }

    private JsonNode awaitEnd(String workflowId, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            JsonNode details =
                    api.get("/api/v1/group-ai/workflows/" + workflowId).json();
            if (details.has("status") && !"RUNNING".equals(details.get("status").asString())) {
                return details;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError(workflowId + " did not finish within " + timeout);
    }

    private static String durations(JsonNode run) {
        StringBuilder out = new StringBuilder(
                "total " + run.get("result").get("duration_millis").asLong() + " ms (");
        run.get("result")
                .get("steps")
                .forEach(s -> out.append(s.get("step").asString())
                        .append(' ')
                        .append(s.get("duration_millis").asLong())
                        .append(" ms, "));
        return out.substring(0, out.length() - 2) + ")";
    }

    private static String step(JsonNode steps, String name) {
        for (JsonNode step : steps) {
            if (name.equals(step.get("step").asString())) {
                return step.get("detail").asString();
            }
        }
        throw new AssertionError("no step '" + name + "' in " + steps);
    }

    /** Whether a process runs: exists and is not a zombie (this machine's init may reap exited processes late). */
    private static boolean runs(long pid) throws Exception {
        String text;
        try {
            text = Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (java.nio.file.NoSuchFileException gone) {
            return false;
        }
        // The state follows the command name in parentheses: "pid (comm) S ...".
        return text.charAt(text.lastIndexOf(')') + 2) != 'Z';
    }
}
