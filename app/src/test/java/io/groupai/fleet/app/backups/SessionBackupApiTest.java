package io.groupai.fleet.app.backups;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.app.allocation.SimulatedFleet;
import io.groupai.fleet.sessionformat.Sha256;
import io.groupai.fleet.sessions.SessionStore;
import io.groupai.fleet.workflows.WorkflowIds;
import io.temporal.client.WorkflowClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;

/**
 * Session backups through the real app: accounts allocated onto a simulated node (embedded SSH server, an
 * in-process agent on its queue, the embedded Temporal server, H2), backed up on demand over REST, kept to the
 * last N, listed, and one put back by a restore; an account that cannot be backed up is reported and fails no
 * other.
 */
@FleetIntegrationTest
class SessionBackupApiTest {

    private static final String A = "639500000001";
    private static final String B = "639500000002";
    private static final String BROKEN = "639500000003";

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    WorkflowClient client;

    @Autowired
    SessionStore sessions;

    @TempDir
    Path dir;

    Api api;
    SimulatedFleet fleet;

    @BeforeEach
    void setUp() throws IOException {
        DatabaseCleaner.clean(jdbc);
        for (String id : List.of(A, B, BROKEN)) {
            FileSystemUtils.deleteRecursively(sessions.accountDir(id));
        }
        api = new Api(port);
        fleet = new SimulatedFleet(api, client, dir);
    }

    @AfterEach
    void tearDown() {
        fleet.close();
    }

    @Test
    void backsUpRunningAccountsKeepsTheLastNListsThemAndRestoresOne() throws Exception {
        fleet.node("bk-a", 5, true).start();
        SimulatedFleet.accounts(api, sessions, List.of(A, B), true);
        Api.Response auto =
                api.post("/api/v1/group-ai/account-allocation/auto?wait_seconds=60", "{\"strategy\": \"balanced\"}");
        assertThat(auto.status()).as(auto.body()).isEqualTo(200);
        assertThat(auto.json().get("result").get("placed").asInt()).isEqualTo(2);
        Path onNode =
                fleet.ssh("bk-a").deployDir().resolve("sessions").resolve(A).resolve("session.zip");
        // An account placed on the node whose session is not there: its export fails.
        api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"" + BROKEN + "\"}");
        jdbc.sql("UPDATE accounts SET server_id = 'bk-a', status = 'online' WHERE account_id = ?")
                .param(BROKEN)
                .update();

        List<byte[]> versions = new ArrayList<>();
        for (int run = 1; run <= 3; run++) {
            byte[] version = zip("td.binlog", "TDLIB-VERSION-" + run + " of " + A);
            Files.write(onNode, version); // what TDLib wrote on the node since the last run
            versions.add(version);
            Api.Response r = api.post("/api/v1/group-ai/session-backups/run?wait_seconds=120", "{\"keep\": 2}");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            JsonNode result = r.json().get("result");
            assertThat(r.json().get("workflow_id").asString()).isEqualTo(WorkflowIds.sessionBackupNow());
            assertThat(result.get("total").asInt()).isEqualTo(3);
            assertThat(result.get("succeeded").asInt()).as(result.toString()).isEqualTo(2);
            assertThat(result.get("failed").asInt()).isEqualTo(1);
            for (JsonNode outcome : result.get("accounts")) {
                if (outcome.get("account_id").asString().equals(BROKEN)) {
                    assertThat(outcome.get("success").asBoolean()).isFalse();
                    assertThat(outcome.get("message").asString())
                            .contains("account " + BROKEN + " on server bk-a, step export session");
                } else {
                    assertThat(outcome.get("success").asBoolean())
                            .as(outcome.toString())
                            .isTrue();
                }
            }
        }
        assertThat(fleet.agent("bk-a").running())
                .as("started again after each backup")
                .containsKeys(A, B);

        JsonNode listed = api.get("/api/v1/group-ai/accounts/" + A + "/backups").json();
        assertThat(listed.get("keep").asInt()).isEqualTo(3);
        JsonNode backups = listed.get("backups");
        assertThat(backups).as("keep 2: the first run's backup was deleted").hasSize(2);
        assertThat(backups.get(0).get("sha256").asString()).isEqualTo(Sha256.hex(versions.get(2)));
        assertThat(backups.get(1).get("sha256").asString()).isEqualTo(Sha256.hex(versions.get(1)));
        assertThat(backups.get(0).get("source").asString()).isEqualTo("backup from bk-a");
        assertThat(Instant.parse(backups.get(0).get("created_at").asString()))
                .isAfter(Instant.parse(backups.get(1).get("created_at").asString()));
        try (var files = Files.list(sessions.accountDir(A).resolve("backups"))) {
            for (Path file : files.toList()) {
                assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
                        .as("backups are encrypted at rest")
                        .doesNotContain("TDLIB-VERSION", "td.binlog");
            }
        }
        assertThat(api.get("/api/v1/group-ai/accounts/" + B + "/backups").json().get("backups"))
                .hasSize(2);
        assertThat(api.get("/api/v1/group-ai/accounts/" + BROKEN + "/backups")
                        .json()
                        .get("backups"))
                .isEmpty();

        // Put the older backup back: stop, upload, start, under the account's own workflow id.
        String older = backups.get(1).get("backup_id").asString();
        Api.Response restore = api.post("/api/v1/group-ai/accounts/" + A + "/backups/" + older + "/restore", "");
        assertThat(restore.status()).as(restore.body()).isEqualTo(202);
        assertThat(restore.json().get("workflow_id").asString()).isEqualTo(WorkflowIds.account(A));
        assertThat(restore.json().get("server_id").asString()).isEqualTo("bk-a");
        awaitCompleted(WorkflowIds.account(A));
        assertThat(Files.readAllBytes(onNode))
                .as("the node runs the restored session")
                .isEqualTo(versions.get(1));
        assertThat(sessions.readAllBytes(A)).as("and it is the stored session").isEqualTo(versions.get(1));
        assertThat(fleet.agent("bk-a").running()).containsKey(A);
        JsonNode status =
                api.get("/api/v1/group-ai/workflows/" + WorkflowIds.account(A)).json();
        assertThat(status.toString()).contains("upload to node", older);
    }

    @Test
    void refusesWhatItCannotDoWithAClearProblem() throws Exception {
        fleet.node("bk-b", 5, true).start();
        SimulatedFleet.accounts(api, sessions, List.of(A), true);

        assertThat(api.get("/api/v1/group-ai/accounts/nobody/backups").status()).isEqualTo(404);
        Api.Response badId = api.post("/api/v1/group-ai/accounts/" + A + "/backups/not-a-backup/restore", "");
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.json().get("detail").asString()).contains("backup_id");
        Api.Response unknown =
                api.post("/api/v1/group-ai/accounts/" + A + "/backups/20261202T061500123Z-1a2b3c/restore", "");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("detail").asString()).contains("has no backup 20261202T061500123Z-1a2b3c");

        // A backup of an unallocated account exists (stored by hand) but there is no server to put it back on.
        sessions.storeBackup(A, Files.write(sessions.newTempFile(), zip("td.binlog", "x")), "test");
        String id = sessions.backups(A).get(0).backupId();
        Api.Response nowhere = api.post("/api/v1/group-ai/accounts/" + A + "/backups/" + id + "/restore", "");
        assertThat(nowhere.status()).isEqualTo(409);
        assertThat(nowhere.json().get("detail").asString()).contains("runs on no server");

        long runs =
                jdbc.sql("SELECT COUNT(*) FROM workflow_runs").query(Long.class).single();
        Api.Response badRun = api.post(
                "/api/v1/group-ai/session-backups/run",
                "{\"keep\": 0, \"parallelism\": \"many\", \"account_ids\": [\"a b;rm -rf /\"], \"bogus\": 1}");
        assertThat(badRun.status()).isEqualTo(400);
        assertThat(badRun.body()).contains("keep", "parallelism", "bogus");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM workflow_runs")
                        .query(Long.class)
                        .single())
                .as("nothing started")
                .isEqualTo(runs);
    }

    private void awaitCompleted(String workflowId) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(90);
        String status = "";
        while (Instant.now().isBefore(deadline)) {
            JsonNode w = api.get("/api/v1/group-ai/workflows/" + workflowId).json();
            status = w.get("status").asString();
            if (!"RUNNING".equals(status)) {
                assertThat(status).as(w.toString()).isEqualTo("COMPLETED");
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(workflowId + " still " + status + " after 90 s");
    }

    static byte[] zip(String entry, String content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.setLevel(0);
            zip.putNextEntry(new ZipEntry(entry));
            zip.write(content.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }
}
