package io.groupai.fleet.app.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.nodes.ssh.SshTarget;
import io.groupai.fleet.nodes.ssh.SystemdUnit;
import io.groupai.fleet.nodes.ssh.testing.OpenSshServer;
import io.groupai.fleet.nodes.ssh.testing.StandInSystemctl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Start, status and stop through the REST API and the server-operation workflow on a node whose row says
 * its agent runs as a systemd unit: the activities must use {@code systemctl}, not the pid file.
 *
 * <p><b>Stand-in:</b> this container has no systemd as PID 1, so the real OpenSSH server of this test puts a
 * recording {@link StandInSystemctl} first on the SSH user's PATH; it runs the unit's ExecStart (here a
 * process that only sleeps) itself. The row's mode is set as a bootstrap on a systemd server would have
 * left it (bootstrap here rightly chooses the pid file; OpenSshBootstrapTest shows that).
 */
@FleetIntegrationTest
class SystemdServerOperationsTest {

    static final String NODE = "systemd-ops";

    static Path dir;
    static StandInSystemctl systemctl;
    static OpenSshServer sshd;

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @BeforeAll
    static void startSshd() throws Exception {
        OpenSshServer.unavailable().ifPresent(why -> assumeTrue(false, why));
        dir = Files.createTempDirectory("systemd-ops-");
        systemctl = StandInSystemctl.create(dir);
        sshd = OpenSshServer.start(Files.createDirectories(dir.resolve("sshd")), systemctl.sshdConfig());
    }

    @AfterAll
    static void stopSshd() throws Exception {
        if (sshd != null) {
            sshd.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    @Test
    void startStatusAndStopGoThroughSystemctlWhenTheNodeRunsAsAUnit() throws Exception {
        DatabaseCleaner.clean(jdbc);
        Api api = new Api(port);
        Path deploy = sshd.deployDir();
        Path worker = Files.createDirectories(deploy.resolve("bin")).resolve("worker-node");
        Files.writeString(worker, "#!/bin/sh\nexec sleep 300\n");
        Files.setPosixFilePermissions(worker, PosixFilePermissions.fromString("rwxr-xr-x"));
        SshTarget target = new SshTarget(NODE, "127.0.0.1", sshd.port(), sshd.user(), deploy.toString());
        Files.writeString(
                systemctl.unitDir().resolve(SystemdUnit.name(NODE)),
                SystemdUnit.render(target, false, Duration.ofSeconds(10)));
        Api.Response created = api.post("/api/v1/group-ai/servers", """
                {"node_id": "%s", "host": "127.0.0.1", "port": %d, "user": "%s", "private_key": "%s",
                 "deploy_dir": "%s", "max_accounts": 5}""".formatted(
                        NODE, sshd.port(), sshd.user(), sshd.privateKeyPem().replace("\n", "\\n"), deploy));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        jdbc.sql("UPDATE servers SET node_service = 'systemd' WHERE node_id = ?")
                .param(NODE)
                .update();
        String unit = SystemdUnit.name(NODE);

        JsonNode started = operate(api, "start");
        long pid = started.get("result").get("process").get("pid").asLong();
        assertThat(ProcessHandle.of(pid))
                .hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
        assertThat(started.get("result").get("probe").get("process_alive").asBoolean())
                .isTrue();
        assertThat(started.get("result").get("probe").get("pid").asLong()).isEqualTo(pid);
        assertThat(systemctl.calls())
                .containsSubsequence("start " + unit, "is-active " + unit, "show -p ActiveState -p MainPID " + unit);
        // Not the pid-file start: that would have redirected the worker's output into logs/worker-node.log.
        assertThat(deploy.resolve("logs/worker-node.log")).doesNotExist();

        JsonNode view = api.get("/api/v1/group-ai/servers/" + NODE).json();
        assertThat(view.get("node_service").asString()).isEqualTo("systemd");
        assertThat(view.get("service_unit").asString()).isEqualTo(unit);
        assertThat(view.get("process_alive").asBoolean()).isTrue();

        JsonNode stopped = operate(api, "stop");
        assertThat(stopped.get("result").get("process").get("running").asBoolean())
                .isFalse();
        assertThat(systemctl.calls()).contains("stop " + unit);
        for (int i = 0;
                i < 50 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                i++) {
            Thread.sleep(100);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
    }

    private static JsonNode operate(Api api, String action) throws InterruptedException {
        Api.Response r = api.post("/api/v1/group-ai/servers/" + NODE + "/actions/" + action, "");
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            JsonNode details =
                    api.get("/api/v1/group-ai/workflows/server-op-" + NODE).json();
            if (!"RUNNING".equals(details.get("status").asString())) {
                assertThat(details.get("result").get("success").asBoolean())
                        .as(details.toString())
                        .isTrue();
                return details;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(action + " of " + NODE + " did not finish in 60 s");
    }
}
