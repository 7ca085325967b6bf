package io.groupai.fleet.app.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.app.allocation.SimulatedFleet;
import io.groupai.fleet.registry.DatabaseKeyStore;
import io.groupai.fleet.registry.NodeTokenStore;
import io.groupai.fleet.sessions.SessionStore;
import io.groupai.fleet.workflows.WorkflowTypes;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Runs every workflow type of the control plane with recognisable secrets in play (SSH passwords,
 * node tokens, the bytes of session archives), then reads the whole Temporal history of every run
 * and child run and looks for each secret in every event, as raw bytes and as base64.
 */
@FleetIntegrationTest
class HistorySecretsScanTest {

    static final String SESSION_MARKER = "SESSION-BYTES-7f3a9c-do-not-leak";

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    WorkflowClient client;

    @Autowired
    SessionStore sessions;

    @Autowired
    NodeTokenStore tokens;

    @Autowired
    DatabaseKeyStore databaseKeys;

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
    void noWorkflowHistoryHoldsASecret() throws Exception {
        boolean distribution =
                getClass().getClassLoader().getResource("worker-node-dist/distribution.properties") != null;
        fleet.node("scan-a", 5, true).node("scan-b", 5, true);
        if (distribution) {
            fleet.realAgentNode("scan-r", 2); // bootstrap: the real agent, its token written over SFTP
        }
        fleet.start(); // ServerOperationWorkflow (status) on every node
        if (distribution) {
            fleet.bootstrapAll(Duration.ofMinutes(3)); // BootstrapNodeWorkflow
        }
        List<String> accounts = List.of("639100000001", "639100000002", "639100000003");
        for (String id : accounts) {
            assertThat(api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"" + id + "\"}")
                            .status())
                    .isEqualTo(201);
            Path temp = sessions.newTempFile();
            try (OutputStream out = Files.newOutputStream(temp);
                    ZipOutputStream zip = new ZipOutputStream(out)) {
                zip.putNextEntry(new ZipEntry("td.binlog"));
                zip.write((SESSION_MARKER + " of " + id).getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
            sessions.store(id, temp);
            // The TDLib database key exists for the whole run, as it does once a node has started the account.
            databaseKeys.issueIfAbsent(id);
        }
        // AllocateAccountsWorkflow with AllocateChunkWorkflow children, onto the in-process agents.
        Api.Response batch = api.post(
                "/api/v1/group-ai/account-allocation/batch?wait_seconds=60",
                "{\"allocations\": [{\"account_id\": \"639100000001\", \"server_id\": \"scan-a\"},"
                        + " {\"account_id\": \"639100000002\", \"server_id\": \"scan-a\"},"
                        + " {\"account_id\": \"639100000003\", \"server_id\": \"scan-b\"}]}");
        assertThat(batch.status()).as(batch.body()).isEqualTo(200);
        // MigrateAccountWorkflow: export, fetch and upload the session between the nodes.
        Api.Response migrate = api.post(
                "/api/v1/group-ai/accounts/rebalance",
                "{\"account_id\": \"639100000001\", \"target_server_id\": \"scan-b\", \"reason\": \"scan\"}");
        assertThat(migrate.status()).as(migrate.body()).isEqualTo(202);
        assertThat(awaitClosed("account-639100000001").get("status").asString()).isEqualTo("COMPLETED");

        Map<String, byte[]> secrets = new LinkedHashMap<>();
        secrets.put("ssh password", SimulatedFleet.PASSWORD.getBytes(StandardCharsets.UTF_8));
        secrets.put("session bytes", SESSION_MARKER.getBytes(StandardCharsets.UTF_8));
        secrets.put("session archive", sessions.readAllBytes("639100000002"));
        for (String id : accounts) {
            // The key as the control plane hands it to a node (base64 text) and as the bytes it stands for.
            String key = databaseKeys.reveal(id).orElseThrow();
            secrets.put("database key of " + id, key.getBytes(StandardCharsets.UTF_8));
            secrets.put("database key bytes of " + id, Base64.getDecoder().decode(key));
        }
        if (distribution) {
            secrets.put("node token", tokens.reveal("scan-r").orElseThrow().getBytes(StandardCharsets.UTF_8));
        }

        Set<String> types = new TreeSet<>();
        List<String> leaks = new ArrayList<>();
        int events = 0;
        for (String workflowId : allRuns()) {
            WorkflowExecutionHistory history = client.fetchHistory(workflowId);
            types.add(history.getEvents()
                    .get(0)
                    .getWorkflowExecutionStartedEventAttributes()
                    .getWorkflowType()
                    .getName());
            for (HistoryEvent e : history.getEvents()) {
                events++;
                leaks.addAll(scan(workflowId, e, secrets));
            }
        }
        System.out.println("history scan: " + types + ", " + events + " events, secrets " + secrets.keySet());
        assertThat(types)
                .contains(
                        WorkflowTypes.SERVER_OPERATION,
                        WorkflowTypes.ALLOCATE_ACCOUNTS,
                        WorkflowTypes.ALLOCATE_CHUNK,
                        WorkflowTypes.MIGRATE_ACCOUNT);
        if (distribution) {
            assertThat(types).contains(WorkflowTypes.BOOTSTRAP_NODE);
        }
        assertThat(leaks).isEmpty();
    }

    /** The scan itself finds a secret that is there: a workflow started with one as its argument. */
    @Test
    void theScanFindsASecretWhereThereIsOne() {
        String id = "scan-control-" + System.nanoTime();
        WorkflowStub stub = client.newUntypedWorkflowStub(
                "ScanControlWorkflow",
                WorkflowOptions.newBuilder()
                        .setTaskQueue("nobody-polls-this")
                        .setWorkflowId(id)
                        .build());
        stub.start(Base64.getEncoder().encodeToString(SimulatedFleet.PASSWORD.getBytes(StandardCharsets.UTF_8)));
        try {
            List<String> found = new ArrayList<>();
            for (HistoryEvent e : client.fetchHistory(id).getEvents()) {
                found.addAll(
                        scan(id, e, Map.of("ssh password", SimulatedFleet.PASSWORD.getBytes(StandardCharsets.UTF_8))));
            }
            assertThat(found).isNotEmpty();
        } finally {
            stub.terminate("control over");
        }
    }

    /** Every run recorded by the API, and every child they started, transitively. */
    private Set<String> allRuns() {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(jdbc.sql("SELECT DISTINCT workflow_id FROM workflow_runs")
                .query(String.class)
                .list());
        while (!todo.isEmpty()) {
            String id = todo.pop();
            if (!seen.add(id)) {
                continue;
            }
            for (HistoryEvent e : client.fetchHistory(id).getEvents()) {
                if (e.hasStartChildWorkflowExecutionInitiatedEventAttributes()) {
                    todo.add(e.getStartChildWorkflowExecutionInitiatedEventAttributes()
                            .getWorkflowId());
                }
            }
        }
        return seen;
    }

    private static List<String> scan(String workflowId, HistoryEvent e, Map<String, byte[]> secrets) {
        List<String> found = new ArrayList<>();
        String raw = new String(e.toByteArray(), StandardCharsets.ISO_8859_1);
        for (Map.Entry<String, byte[]> s : secrets.entrySet()) {
            for (String form : forms(s.getValue())) {
                if (raw.contains(form)) {
                    found.add(workflowId + " event " + e.getEventId() + " (" + e.getEventType() + ") holds the "
                            + s.getKey());
                    break;
                }
            }
        }
        return found;
    }

    /** The secret as raw bytes, and as base64 at each of the three byte alignments (JSON carries bytes so). */
    private static List<String> forms(byte[] secret) {
        List<String> forms = new ArrayList<>();
        byte[] head = java.util.Arrays.copyOf(secret, Math.min(secret.length, 48));
        forms.add(new String(head, StandardCharsets.ISO_8859_1));
        for (int shift = 0; shift < 3; shift++) {
            byte[] shifted = new byte[shift + head.length];
            System.arraycopy(head, 0, shifted, shift, head.length);
            String b64 = Base64.getEncoder().encodeToString(shifted);
            String core = b64.substring(shift == 0 ? 0 : 4, b64.length() - 4);
            if (core.length() >= 12) {
                forms.add(core);
            }
        }
        return forms;
    }

    private JsonNode awaitClosed(String workflowId) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            JsonNode details =
                    api.get("/api/v1/group-ai/workflows/" + workflowId).json();
            if (!"RUNNING".equals(details.get("status").asString())) {
                return details;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(workflowId + " did not close");
    }
}
