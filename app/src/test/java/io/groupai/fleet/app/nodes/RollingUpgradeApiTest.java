package io.groupai.fleet.app.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.app.allocation.SimulatedFleet;
import io.groupai.fleet.nodes.NodeDistribution;
import io.groupai.fleet.sessions.SessionStore;
import io.temporal.client.WorkflowClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * A rolling upgrade of real worker-node agents (bootstrapped over SFTP onto embedded SSH nodes): the
 * canary and the next server are upgraded and their account comes back online; a new build is rolled
 * out, then a broken one is rolled back on the canary (the previous agent and its account back); a
 * server that never ran an agent fails the rollout, named with its step, and the workflow ends FAILED.
 */
@FleetIntegrationTest
class RollingUpgradeApiTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    WorkflowClient client;

    @Autowired
    SessionStore sessions;

    @Autowired
    NodeDistribution distribution;

    @TempDir
    Path dir;

    Api api;
    SimulatedFleet fleet;

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
        fleet = new SimulatedFleet(api, client, dir);
    }

    @AfterEach
    void tearDown() {
        fleet.close();
    }

    @Test
    void upgradesTheCanaryThenTheRestRollsBackABrokenBuildAndStopsFailedAtAServerThatDoesNotAnswer() throws Exception {
        Assumptions.assumeTrue(
                getClass().getClassLoader().getResource("worker-node-dist/distribution.properties") != null,
                "needs the worker-node distribution embedded by the app's build (./mvnw verify, or"
                        + " ./mvnw -pl worker-node -am package -DskipTests first)");
        fleet.realAgentNode("up-a", 2).realAgentNode("up-b", 2);
        fleet.bootstrapAll(Duration.ofMinutes(3));
        SimulatedFleet.accounts(api, sessions, List.of("639300000001"), true);
        Api.Response placed = api.post(
                "/api/v1/group-ai/account-allocation/batch",
                "{\"allocations\": [{\"account_id\": \"639300000001\", \"server_id\": \"up-a\"}]}");
        assertThat(placed.status()).as(placed.body()).isLessThan(300);
        await(
                Duration.ofSeconds(90),
                () -> "online"
                        .equals(api.get("/api/v1/group-ai/accounts/639300000001")
                                .json()
                                .get("status")
                                .asString()));

        Api.Response started = api.post(
                "/api/v1/group-ai/upgrades", "{\"node_ids\": [\"up-a\", \"up-b\"], \"health_timeout_seconds\": 90}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        assertThat(started.json().get("canary").asString()).isEqualTo("up-a");
        JsonNode done = awaitEnd(started.json().get("workflow_id").asString());
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("COMPLETED");
        assertThat(done.get("progress").values())
                .extracting(
                        s -> s.get("node_id").asString() + " " + s.get("state").asString())
                .containsExactly("up-a UPGRADED", "up-b UPGRADED");
        assertThat(done.get("progress").get(0).get("detail").asString()).contains("1 accounts back online");
        assertThat(dir.resolve("up-a").resolve("deploy/lib.previous/worker-node.jar"))
                .exists();
        assertThat(api.get("/api/v1/group-ai/accounts/639300000001")
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("online");

        // A new build of the agent (here: its launcher changed) in the distribution this app installs: the
        // canary and the rest take it; then a build whose new Java runtime runs nothing, so its agent exits at
        // once: the canary is rolled back to the kept agent AND runtime, its account back online, the rest
        // untouched, and the workflow FAILED naming server and step.
        Path launcher = distribution.local().file(NodeDistribution.LAUNCHER);
        String original = Files.readString(launcher);
        Path installed = dir.resolve("up-a").resolve("deploy/bin/worker-node");
        Path runtimeArchive = distribution.local().file(NodeDistribution.RUNTIME_ARCHIVE);
        Path manifest = distribution.local().file(NodeDistribution.MANIFEST);
        byte[] originalRuntime = Files.readAllBytes(runtimeArchive);
        String originalManifest = Files.readString(manifest);
        Path runtimeId = dir.resolve("up-a").resolve("deploy/runtime/.release-id");
        String runtimeBefore = Files.readString(runtimeId);
        byte[] brokenRuntime = javaThatRunsNothing();
        try {
            Files.writeString(launcher, original + "\n# build 2 of the agent\n");
            JsonNode upgraded = awaitEnd(api.post(
                            "/api/v1/group-ai/upgrades",
                            "{\"node_ids\": [\"up-a\", \"up-b\"], \"health_timeout_seconds\": 90}")
                    .json()
                    .get("workflow_id")
                    .asString());
            assertThat(upgraded.get("status").asString())
                    .as(upgraded.toString())
                    .isEqualTo("COMPLETED");
            assertThat(Files.readString(installed)).contains("# build 2 of the agent");

            // Build 3 ships a new Java runtime that answers -version (so it installs) but runs nothing.
            Files.write(runtimeArchive, brokenRuntime);
            Files.writeString(
                    manifest,
                    originalManifest.replaceAll(
                            "runtime\\.id=[0-9a-f]{64}",
                            "runtime.id=" + io.groupai.fleet.sessionformat.Sha256.hex(brokenRuntime)));
            JsonNode rolledBack = awaitEnd(api.post(
                            "/api/v1/group-ai/upgrades",
                            "{\"node_ids\": [\"up-a\", \"up-b\"], \"health_timeout_seconds\": 90}")
                    .json()
                    .get("workflow_id")
                    .asString());
            assertThat(rolledBack.get("status").asString()).isEqualTo("FAILED");
            assertThat(rolledBack.get("failure").toString())
                    .contains("canary server up-a was rolled back", "restart the worker process", "broken on purpose");
            assertThat(rolledBack.get("progress").values())
                    .extracting(s ->
                            s.get("node_id").asString() + " " + s.get("state").asString())
                    .containsExactly("up-a ROLLED_BACK", "up-b SKIPPED");
            assertThat(rolledBack.get("progress").get(0).get("detail").asString())
                    .contains("runs again, 1 accounts back online")
                    .doesNotContain("worker-node up-a stopped"); // the previous agent's log lines are not the error
            assertThat(Files.readString(installed)).contains("# build 2 of the agent");
            // The runtime went back with the agent; the server that was skipped never got the broken one.
            assertThat(Files.readString(runtimeId)).isEqualTo(runtimeBefore);
            assertThat(Files.readString(dir.resolve("up-b").resolve("deploy/runtime/.release-id")))
                    .isEqualTo(runtimeBefore);
            assertThat(Files.readString(dir.resolve("up-b").resolve("deploy/bin/worker-node")))
                    .contains("# build 2");
            assertThat(api.get("/api/v1/group-ai/accounts/639300000001")
                            .json()
                            .get("status")
                            .asString())
                    .isEqualTo("online");
        } finally {
            Files.writeString(launcher, original);
            Files.write(runtimeArchive, originalRuntime);
            Files.writeString(manifest, originalManifest);
        }

        // A canary with no agent at all: nothing to keep or roll back; FAILED, naming server and step, and
        // the servers after it are left alone.
        api.post("/api/v1/group-ai/servers", """
                {"node_id": "up-none", "host": "127.0.0.1", "port": 1, "user": "fleet", "deploy_dir": "/srv/none", "max_accounts": 1}""");
        Api.Response second = api.post(
                "/api/v1/group-ai/upgrades", "{\"node_ids\": [\"up-none\", \"up-b\"], \"health_timeout_seconds\": 5}");
        JsonNode failed = awaitEnd(second.json().get("workflow_id").asString());
        assertThat(failed.get("status").asString()).isEqualTo("FAILED");
        assertThat(failed.get("failure").toString()).contains("up-none", "ping the running agent");
        assertThat(failed.get("progress").values())
                .extracting(
                        s -> s.get("node_id").asString() + " " + s.get("state").asString())
                .containsExactly("up-none FAILED", "up-b SKIPPED");

        // Bad input changes nothing.
        Api.Response bad = api.post("/api/v1/group-ai/upgrades", "{\"batch_size\": 0}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("batch_size");
        assertThat(api.post("/api/v1/group-ai/upgrades", "{\"node_ids\": [\"nowhere\"]}")
                        .status())
                .isEqualTo(404);
    }

    /** A runtime.tar.gz whose bin/java answers -version like a JDK and fails whatever else it is asked to run. */
    private static byte[] javaThatRunsNothing() throws Exception {
        Path root = Files.createTempDirectory("broken-runtime");
        Path java = root.resolve("bin/java");
        Files.createDirectories(java.getParent());
        Files.writeString(java, """
                #!/bin/sh
                if [ "$1" = -version ]; then echo 'openjdk version "25.0.99" (build 3)' >&2; exit 0; fi
                echo 'runtime of build 3 cannot start: broken on purpose' >&2
                exit 1
                """);
        java.toFile().setExecutable(true);
        Path archive = root.resolve("runtime.tar.gz");
        Process tar = new ProcessBuilder("tar", "-czf", archive.toString(), "-C", root.toString(), "bin")
                .redirectErrorStream(true)
                .start();
        assertThat(tar.waitFor())
                .as(new String(tar.getInputStream().readAllBytes()))
                .isZero();
        return Files.readAllBytes(archive);
    }

    private JsonNode awaitEnd(String workflowId) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(240);
        while (true) {
            JsonNode run = api.get("/api/v1/group-ai/workflows/" + workflowId).json();
            if (!"RUNNING".equals(run.get("status").asString()) || Instant.now().isAfter(deadline)) {
                return run;
            }
            Thread.sleep(500);
        }
    }

    private static void await(Duration timeout, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not within " + timeout);
            }
            Thread.sleep(250);
        }
    }
}
