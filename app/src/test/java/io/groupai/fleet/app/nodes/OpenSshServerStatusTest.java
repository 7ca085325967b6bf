package io.groupai.fleet.app.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.nodes.ssh.testing.OpenSshServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A server behind a real OpenSSH sshd, key login: worker start/stop and live status through REST and the workflow. */
@FleetIntegrationTest
class OpenSshServerStatusTest {

    @TempDir
    static Path dir;

    static OpenSshServer sshd;

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    Api api;

    @BeforeAll
    static void startSshd() throws Exception {
        OpenSshServer.unavailable().ifPresent(why -> assumeTrue(false, why));
        sshd = OpenSshServer.start(dir);
        Path worker = Files.createDirectories(sshd.deployDir().resolve("bin")).resolve("worker-node");
        Files.writeString(worker, "#!/bin/sh\nexec sleep 300\n");
        Files.setPosixFilePermissions(worker, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    static void stopSshd() throws InterruptedException {
        if (sshd != null) {
            sshd.close();
        }
    }

    @BeforeEach
    void register() {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
        String body = JsonMapper.builder()
                .build()
                .writeValueAsString(java.util.Map.of(
                        "node_id",
                        "openssh-1",
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
        Api.Response created = api.post("/api/v1/group-ai/servers", body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.body()).doesNotContain("PRIVATE KEY");
    }

    @Test
    void statusShowsLiveMetricsAndTheWorkerStartsAndStopsThroughItsPidFile() throws Exception {
        assertThat(run("status").get("result").get("success").asBoolean()).isTrue();
        JsonNode offline = api.get("/api/v1/group-ai/servers/openssh-1/status").json();
        assertThat(offline.get("status").asString()).isEqualTo("offline");
        assertThat(offline.get("cpu_usage").asDouble()).isBetween(0.0, 100.0);
        assertThat(offline.get("memory_usage").asDouble()).isBetween(0.0, 100.0);
        assertThat(offline.get("disk_usage").asDouble()).isBetween(0.0, 100.0);
        assertThat(offline.get("latency_ms").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(api.get("/api/v1/group-ai/servers/openssh-1")
                        .json()
                        .get("host_key_pinned")
                        .asBoolean())
                .isTrue();

        long pid = run("start").get("result").get("process").get("pid").asLong();
        JsonNode online = api.get("/api/v1/group-ai/servers/openssh-1/status").json();
        assertThat(online.get("status").asString()).isEqualTo("online");
        assertThat(online.get("worker_pid").asLong()).isEqualTo(pid);

        assertThat(run("stop").get("result").get("process").get("running").asBoolean())
                .isFalse();
        assertThat(api.get("/api/v1/group-ai/servers/openssh-1/status")
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("offline");
    }

    private JsonNode run(String action) throws InterruptedException {
        Api.Response started = api.post("/api/v1/group-ai/servers/openssh-1/actions/" + action, "");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            JsonNode details =
                    api.get("/api/v1/group-ai/workflows/server-op-openssh-1").json();
            if (!"RUNNING".equals(details.get("status").asString())) {
                assertThat(details.get("result").get("success").asBoolean())
                        .as(details.toString())
                        .isTrue();
                return details;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(action + " of openssh-1 did not finish in 60 s");
    }
}
