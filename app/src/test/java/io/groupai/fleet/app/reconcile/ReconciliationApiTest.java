package io.groupai.fleet.app.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.allocation.AllocationStore;
import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.app.allocation.SimulatedFleet;
import io.groupai.fleet.app.temporal.TemporalServerInfo;
import io.groupai.fleet.heartbeats.Heartbeat;
import io.groupai.fleet.heartbeats.HeartbeatService;
import io.groupai.fleet.reconcile.ReconcileProperties;
import io.groupai.fleet.registry.AccountReport;
import io.groupai.fleet.sessions.SessionStore;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.WorkflowTypes;
import io.groupai.fleet.workflows.reconcile.NodeView;
import io.groupai.fleet.workflows.reconcile.ReconcileReport;
import io.groupai.fleet.workflows.reconcile.ReconcileRequest;
import io.groupai.fleet.workflows.reconcile.ReconcileWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Each kind of drift created on simulated nodes (embedded SSH servers with in-process agents on
 * their own queues, the real embedded Temporal server, H2), shown by the dry run before anything
 * changes, then repaired by a run; afterwards every count equals the database and the database
 * equals what the nodes run.
 */
@FleetIntegrationTest
class ReconciliationApiTest {

    private static final String RECONCILIATION = "/api/v1/group-ai/reconciliation";

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    WorkflowClient client;

    @Autowired
    SessionStore sessions;

    @Autowired
    AllocationStore claims;

    @Autowired
    HeartbeatService heartbeats;

    @Autowired
    io.groupai.fleet.app.temporal.RecurringWorkflows recurring;

    @Autowired
    TemporalServerInfo serverInfo;

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
    void aControlPlaneKilledMidAllocationLeavesClaimsTheReconcilerReleasesOrFinishes() throws Exception {
        fleet.node("rc-a", 5, true).node("rc-b", 5, true).start();
        SimulatedFleet.accounts(api, sessions, List.of("k1", "k2", "k3", "k4"), true);
        // What a SIGKILL 0.7 s after "auto" leaves: claims of a workflow the (in-memory) Temporal server lost.
        String lost = "allocate-killed-run";
        claims.reserve("k1", "rc-a", lost);
        claims.reserve("k2", "rc-a", lost);
        claims.reserve("k3", "rc-b", lost);
        copyStoredSession("k2", "rc-a"); // uploaded, never started
        copyStoredSession("k3", "rc-b"); // uploaded and started before the kill
        fleet.agent("rc-b").running().put("k3", "");

        JsonNode summary = summary();
        assertThat(summary.get("allocating").asInt()).isEqualTo(3);
        assertThat(summary.get("placed").asInt()).isZero();
        assertThat(summary.get("allocated").asInt())
                .as("the seed's field: placed + allocating + migrating")
                .isEqualTo(3);
        assertThat(summary.get("servers").get("rc-a").get("allocating").asInt()).isEqualTo(2);

        JsonNode dryRun = get(RECONCILIATION);
        assertThat(drifts(dryRun))
                .containsExactly(
                        "ORPHANED_OPERATION k1 rc-a RELEASE planned",
                        "ORPHANED_OPERATION k2 rc-a RELEASE planned",
                        "ORPHANED_OPERATION k3 rc-b FINISH planned",
                        "ORPHAN_SESSION_DIR k2 rc-a REMOVE_DIR planned");
        assertThat(dryRun.get("drifts").get(0).get("drift").get("detail").asString())
                .contains("operation " + lost + " no longer exists in Temporal", "rc-a does not run it");
        assertThat(status("k1")).as("the dry run changed nothing").isEqualTo("allocating");

        JsonNode repaired = post(RECONCILIATION + "?wait_seconds=60");
        assertThat(drifts(repaired))
                .containsExactly(
                        "ORPHANED_OPERATION k1 rc-a RELEASE done",
                        "ORPHANED_OPERATION k2 rc-a RELEASE done",
                        "ORPHANED_OPERATION k3 rc-b FINISH done",
                        // k2 unassigned again: its uploaded copy is the store's, so it goes in the same run
                        "ORPHAN_SESSION_DIR k2 rc-a REMOVE_DIR done");
        assertThat(row("k1")).containsEntry("server_id", null).containsEntry("operation_id", null);
        assertThat(row("k3")).containsEntry("server_id", "rc-b").containsEntry("status", "online");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM allocation_history WHERE account_id = 'k3' AND workflow_id = ?")
                        .param(lost)
                        .query(Integer.class)
                        .single())
                .isEqualTo(1);
        assertThat(fleet.ssh("rc-a").deployDir().resolve("sessions/k2")).doesNotExist();
        assertThat(repaired.get("history")).hasSize(4);

        // The freed accounts can be allocated again (a second "auto" no longer says "no unallocated accounts").
        Api.Response auto =
                api.post("/api/v1/group-ai/account-allocation/auto?wait_seconds=60", "{\"strategy\": \"balanced\"}");
        assertThat(auto.status()).as(auto.body()).isEqualTo(200);
        assertThat(auto.json().get("result").get("placed").asInt()).isEqualTo(3);
        assertDatabaseEqualsFleet("rc-a", "rc-b");
    }

    @Test
    void aTerminatedWorkflowsClaimIsReleasedOnWhatTheNodesLatestHeartbeatSays() throws Exception {
        fleet.node("rt-live", 5, true).node("rt-dead", 5, false).start();
        SimulatedFleet.accounts(api, sessions, List.of("t1"), true);
        Api.Response batch = api.post(
                "/api/v1/group-ai/account-allocation/batch",
                "{\"allocations\": [{\"account_id\": \"t1\", \"server_id\": \"rt-dead\"}]}");
        assertThat(batch.status()).as(batch.body()).isEqualTo(202);
        String workflowId = batch.json().get("workflow_id").asString();
        // Uploaded, now waiting for the dead agent to start it: an operator terminates it in the Temporal UI.
        Path uploaded = fleet.ssh("rt-dead").deployDir().resolve("sessions/t1/session.zip");
        awaitFile(uploaded);
        client.newUntypedWorkflowStub(workflowId).terminate("operator terminated it in the Temporal UI");
        heartbeats.accept(new Heartbeat("rt-dead", "online", 0, List.of(), List.of(), List.of()));
        assertThat(status("t1")).isEqualTo("allocating");

        JsonNode repaired = post(RECONCILIATION + "?wait_seconds=120");

        assertThat(drifts(repaired))
                .containsExactly(
                        "ORPHANED_OPERATION t1 rt-dead RELEASE done", "ORPHAN_SESSION_DIR t1 rt-dead REMOVE_DIR done");
        assertThat(repaired.get("drifts").get(0).get("drift").get("detail").asString())
                .contains("has closed (TERMINATED)");
        JsonNode dead = node(repaired, "rt-dead");
        assertThat(dead.get("source").asString()).isEqualTo("heartbeat");
        assertThat(dead.get("problem").asString()).contains("server rt-dead, step list accounts");
        assertThat(row("t1")).containsEntry("server_id", null).containsEntry("status", "unallocated");
        assertThat(uploaded.getParent()).doesNotExist();
        JsonNode summary = summary();
        assertThat(summary.get("allocating").asInt()).isZero();
        assertThat(summary.get("unallocated").asInt()).isEqualTo(1);
    }

    @Test
    void wrongNodesDoubleRunsUnknownAccountsStrayDirectoriesAndDuplicateRowsAreReportedThenRepaired() throws Exception {
        fleet.node("rw-a", 5, true).node("rw-b", 5, true).start();
        SimulatedFleet.accounts(api, sessions, List.of("w1", "w2", "w3"), true);
        Api.Response placed = api.post("/api/v1/group-ai/account-allocation/batch?wait_seconds=60", """
                {"allocations": [{"account_id": "w1", "server_id": "rw-a"}, {"account_id": "w2", "server_id": "rw-a"},
                                 {"account_id": "w3", "server_id": "rw-b"}]}""");
        assertThat(placed.status()).as(placed.body()).isEqualTo(200);
        assertDatabaseEqualsFleet("rw-a", "rw-b");

        // w1 started by hand on the wrong node (and gone from its own); w2 started a second time elsewhere.
        fleet.agent("rw-a").running().remove("w1");
        fleet.agent("rw-b").running().put("w1", "");
        fleet.agent("rw-b").running().put("w2", "");
        // A node runs an account the database has never heard of; its heartbeat records it, never assigns it.
        fleet.agent("rw-a").running().put("ghost-77", "");
        heartbeats.accept(new Heartbeat(
                "rw-a",
                "online",
                1,
                List.of(new AccountReport("ghost-77", "online", null, 3, 1, Instant.now(), null, List.of())),
                List.of(),
                List.of()));
        assertThat(row("ghost-77")).containsEntry("server_id", null).containsEntry("source_node", "rw-a");
        // Stray session directories: one of an unknown account (maybe the only copy), one of w3 (placed on rw-b).
        Path stray = fleet.ssh("rw-a").deployDir().resolve("sessions/stray-1");
        Files.createDirectories(stray);
        Files.writeString(stray.resolve("td.binlog"), "a session nobody else has");
        copyStoredSession("w3", "rw-a");
        // The same Telegram user under two account ids.
        assertThat(api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"w1-dup\"}")
                        .status())
                .isEqualTo(201);
        for (String id : List.of("w1", "w1-dup")) {
            Api.Response set =
                    api.put("/api/v1/group-ai/accounts/" + id + "/telegram-user", "{\"telegram_user_id\": 7012345678}");
            assertThat(set.status()).as(set.body()).isEqualTo(204);
        }

        JsonNode dryRun = get(RECONCILIATION);
        List<String> expected = List.of(
                "RUNNING_UNASSIGNED ghost-77 rw-a STOP",
                "RUNNING_UNASSIGNED w1 rw-b STOP",
                "DOUBLE_RUN w2 rw-b STOP",
                "NOT_RUNNING w1 rw-a RESTART",
                "ORPHAN_SESSION_DIR stray-1 rw-a KEEP_DIR",
                "ORPHAN_SESSION_DIR w3 rw-a REMOVE_DIR",
                "DUPLICATE_ACCOUNT w1-dup null MERGE");
        assertThat(drifts(dryRun))
                .containsExactlyElementsOf(expected.stream()
                        .map(d -> d + (d.endsWith("KEEP_DIR") || d.endsWith("MERGE") ? " reported" : " planned"))
                        .toList());
        assertThat(fleet.agent("rw-b").running()).as("nothing changed yet").containsKeys("w1", "w2");
        JsonNode merge = find(dryRun, "DUPLICATE_ACCOUNT").get("drift");
        assertThat(merge.get("related_account_id").asString()).isEqualTo("w1");
        assertThat(merge.get("detail").asString()).contains("same Telegram user 7012345678", "DELETE");
        assertThat(find(dryRun, "ORPHAN_SESSION_DIR").get("drift").get("detail").asString())
                .contains("unknown account", "kept", "may be the only one");

        JsonNode repaired = post(RECONCILIATION + "?wait_seconds=60");
        assertThat(drifts(repaired))
                .containsExactlyElementsOf(expected.stream()
                        .map(d -> d + (d.endsWith("KEEP_DIR") || d.endsWith("MERGE") ? " reported" : " done"))
                        .toList());
        assertThat(fleet.agent("rw-a").running().keySet()).containsExactlyInAnyOrder("w1", "w2");
        assertThat(fleet.agent("rw-b").running().keySet()).containsExactly("w3");
        assertThat(stray.resolve("td.binlog")).as("never delete the only copy").exists();
        assertThat(fleet.ssh("rw-a").deployDir().resolve("sessions/w3")).doesNotExist();
        // Alerts and the double-run count are in the history.
        assertThat(repaired.get("history_counts").get("DOUBLE_RUN").asInt()).isEqualTo(1);
        List<String> alerts = new ArrayList<>();
        repaired.get("history").forEach(h -> {
            if (h.get("alert").asBoolean()) {
                alerts.add(h.get("kind").asString() + " " + h.get("account_id").asString());
            }
        });
        assertThat(alerts)
                .containsExactlyInAnyOrder("RUNNING_UNASSIGNED ghost-77", "RUNNING_UNASSIGNED w1", "DOUBLE_RUN w2");
        // ... and open drift_found alerts (API, pages, webhooks) naming account and server.
        List<String> driftAlerts = new ArrayList<>();
        api.get("/api/v1/group-ai/alerts?open=true&kind=drift_found")
                .json()
                .get("items")
                .forEach(a -> driftAlerts.add(a.get("account_id").asString() + " "
                        + a.get("message").asString().split(":")[0]));
        assertThat(driftAlerts)
                .containsExactlyInAnyOrder("ghost-77 RUNNING_UNASSIGNED", "w1 RUNNING_UNASSIGNED", "w2 DOUBLE_RUN");
        JsonNode run = api.get("/api/v1/group-ai/workflows/reconcile-now").json();
        assertThat(run.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(run.get("progress").get("phase").asString()).isEqualTo("done");
        assertThat(run.get("progress").get("repaired").asInt()).isEqualTo(5);

        // What is left is what only an operator can decide.
        assertThat(drifts(get(RECONCILIATION)))
                .containsExactly(
                        "ORPHAN_SESSION_DIR stray-1 rw-a KEEP_DIR reported",
                        "DUPLICATE_ACCOUNT w1-dup null MERGE reported");
        assertDatabaseEqualsFleet("rw-a", "rw-b");
    }

    /**
     * The same repairs in pages of one server, on the real activities: a page reads only its servers' rows and
     * heartbeats, and asks the heartbeat of an account's server in another page whether it runs it too.
     */
    @Test
    void aRunInPagesOfOneServerRepairsAcrossPagesOnTheRealActivities() throws Exception {
        fleet.node("rp-a", 5, true).node("rp-b", 5, true).start();
        SimulatedFleet.accounts(api, sessions, List.of("p1", "p2", "p3"), true);
        Api.Response placed = api.post("/api/v1/group-ai/account-allocation/batch?wait_seconds=60", """
                {"allocations": [{"account_id": "p1", "server_id": "rp-a"}, {"account_id": "p2", "server_id": "rp-a"},
                                 {"account_id": "p3", "server_id": "rp-b"}]}""");
        assertThat(placed.status()).as(placed.body()).isEqualTo(200);
        // p2 started a second time on rp-b (page 1); rp-a's (page 0) latest heartbeat says it runs p2.
        fleet.agent("rp-b").running().put("p2", "");
        heartbeats.accept(new Heartbeat(
                "rp-a",
                "online",
                2,
                List.of(
                        new AccountReport("p1", "online", null, 0, 0, Instant.now(), null, List.of()),
                        new AccountReport("p2", "online", null, 0, 0, Instant.now(), null, List.of())),
                List.of(),
                List.of()));
        // An orphaned allocation on rp-b, which rp-b does not run: released by rp-b's page, not failed by rp-a's.
        SimulatedFleet.accounts(api, sessions, List.of("p4"), true);
        claims.reserve("p4", "rp-b", "allocate-lost");

        ReconcileReport report = client.newWorkflowStub(
                        ReconcileWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                                .setWorkflowId("reconcile-in-pages")
                                .build())
                .reconcile(new ReconcileRequest(false, null, 1, null));

        assertThat(report.drifts())
                .extracting(o -> o.drift().kind() + " " + o.drift().accountId() + " "
                        + o.drift().serverId() + " " + o.drift().action() + " " + o.outcome())
                .containsExactly("ORPHANED_OPERATION p4 rp-b RELEASE done", "DOUBLE_RUN p2 rp-b STOP done");
        assertThat(report.drifts().get(1).drift().detail()).contains("per its latest heartbeat");
        assertThat(report.totals().pages()).isEqualTo(2);
        assertThat(report.totals().servers()).isEqualTo(2);
        assertThat(report.nodes()).extracting(NodeView::serverId).containsExactly("rp-b");
        assertThat(row("p4")).containsEntry("server_id", null).containsEntry("operation_id", null);
        assertThat(jdbc.sql("SELECT workflow_id FROM reconcile_history")
                        .query(String.class)
                        .list())
                .as("recorded under the run's id")
                .containsOnly("reconcile-in-pages");
        assertDatabaseEqualsFleet("rp-a", "rp-b");
    }

    @Test
    void onTheJavaTestServerTheScheduleIsACronWorkflow() {
        ReconcileSchedule schedule = new ReconcileSchedule(
                recurring,
                new ReconcileProperties(true, Duration.ofMinutes(2), Duration.ofMinutes(1), Duration.ofMinutes(30), 3));
        assertThat(serverInfo.hasSchedules()).isFalse();
        try {
            schedule.apply();
            DescribeWorkflowExecutionResponse described = client.getWorkflowServiceStubs()
                    .blockingStub()
                    .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                            .setNamespace(client.getOptions().getNamespace())
                            .setExecution(
                                    WorkflowExecution.newBuilder().setWorkflowId(WorkflowIds.reconcileScheduled()))
                            .build());
            assertThat(described.getWorkflowExecutionInfo().getType().getName()).isEqualTo(WorkflowTypes.RECONCILE);
            assertThat(described.getWorkflowExecutionInfo().getStatus())
                    .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
            assertThat(client.fetchHistory(WorkflowIds.reconcileScheduled())
                            .getHistory()
                            .getEvents(0)
                            .getWorkflowExecutionStartedEventAttributes()
                            .getCronSchedule())
                    .as("off the rebalance's tick: odd minutes")
                    .isEqualTo("1-59/2 * * * *");
            schedule.apply(); // a second start finds it running and leaves it
        } finally {
            // Not left running: it would repair the fixtures of the tests after this one.
            client.newUntypedWorkflowStub(WorkflowIds.reconcileScheduled()).terminate("test done");
        }
    }

    @Test
    void badInputIsRefusedWithAProblem() {
        Api.Response history = api.get(RECONCILIATION + "?history_limit=5000");
        assertThat(history.status()).isEqualTo(400);
        assertThat(history.contentType()).contains("application/problem+json");
        assertThat(history.body()).contains("history_limit");
        Api.Response missing =
                api.put("/api/v1/group-ai/accounts/nobody/telegram-user", "{\"telegram_user_id\": 7012345678}");
        assertThat(missing.status()).isEqualTo(404);
        Api.Response noId = api.put("/api/v1/group-ai/accounts/nobody/telegram-user", "{}");
        assertThat(noId.status()).isEqualTo(400);
        assertThat(noId.body()).contains("telegram_user_id");
    }

    // --- helpers -----------------------------------------------------------------------------

    /** Every count the summary shows equals the database, and the database equals what the nodes run. */
    private void assertDatabaseEqualsFleet(String... servers) {
        JsonNode summary = summary();
        Map<String, Integer> perServer = new TreeMap<>();
        jdbc.sql("SELECT server_id, COUNT(*) FROM accounts WHERE server_id IS NOT NULL GROUP BY server_id")
                .query((RowCallbackHandler) rs -> perServer.put(rs.getString(1), rs.getInt(2)));
        int unassigned = jdbc.sql("SELECT COUNT(*) FROM accounts WHERE server_id IS NULL")
                .query(Integer.class)
                .single();
        int held = jdbc.sql("SELECT COUNT(*) FROM accounts WHERE operation_id IS NOT NULL")
                .query(Integer.class)
                .single();
        assertThat(summary.get("unallocated").asInt()).isEqualTo(unassigned);
        assertThat(summary.get("allocating").asInt() + summary.get("migrating").asInt())
                .isEqualTo(held);
        assertThat(summary.get("total_accounts").asInt())
                .isEqualTo(jdbc.sql("SELECT COUNT(*) FROM accounts")
                        .query(Integer.class)
                        .single());
        for (String server : servers) {
            assertThat(summary.get("servers").get(server).get("current").asInt())
                    .as("summary of " + server)
                    .isEqualTo(perServer.getOrDefault(server, 0));
            Set<String> assigned =
                    new TreeSet<>(jdbc.sql("SELECT account_id FROM accounts WHERE server_id = ? AND status <> 'failed'")
                            .param(server)
                            .query(String.class)
                            .list());
            assertThat(new TreeSet<>(fleet.agent(server).running().keySet()))
                    .as("what " + server + " runs")
                    .isEqualTo(assigned);
        }
    }

    @Test
    void aMigrationFinishingWhileTheReconcilerListsIsNotDriftNoAlertNoRestart() throws Exception {
        fleet.node("rr-a", 5, true).node("rr-b", 5, true).start();
        SimulatedFleet.accounts(api, sessions, List.of("m1"), true);
        claims.reserve("m1", "rr-a", "allocate-m1");
        claims.complete(
                "m1", "rr-a", io.groupai.fleet.workflows.allocation.AllocationType.INITIAL, 0, "allocate-m1", null);
        copyStoredSession("m1", "rr-a");
        fleet.agent("rr-a").running().put("m1", "");
        // rr-a has been listed (it runs m1); a rebalance migration to rr-b then finishes before the database is read:
        // started on rr-b, switched in the database, stopped on rr-a.
        String migration = WorkflowIds.account("m1");
        fleet.agent("rr-a").afterNextList(() -> {
            try {
                copyStoredSession("m1", "rr-b");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            claims.reserveMigrationTarget("m1", "rr-a", "rr-b", migration);
            fleet.agent("rr-b").running().put("m1", "");
            claims.commitMigration("m1", "rr-a", "rr-b", migration);
            fleet.agent("rr-a").running().remove("m1");
            claims.complete(
                    "m1", "rr-b", io.groupai.fleet.workflows.allocation.AllocationType.REBALANCE, 0, migration, "rr-a");
        });

        JsonNode repaired = post(RECONCILIATION + "?wait_seconds=60");

        // Compared with rr-a's listing the account looked stray on rr-a and missing on rr-b: neither is acted on.
        assertThat(repaired.get("drifts"))
                .isNotEmpty()
                .allSatisfy(o ->
                        assertThat(o.get("outcome").asString()).as(o.toString()).isEqualTo("changed"));
        assertThat(repaired.get("pending")).isEmpty();
        assertThat(fleet.agent("rr-b").running()).containsOnlyKeys("m1");
        assertThat(fleet.agent("rr-a").running()).isEmpty();
        assertThat(row("m1")).containsEntry("server_id", "rr-b").containsEntry("operation_id", null);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM reconcile_history")
                        .query(Integer.class)
                        .single())
                .as("no repair, no drift_found alert")
                .isZero();
        assertThat(jdbc.sql("SELECT restart_attempts FROM accounts WHERE account_id = 'm1'")
                        .query(Integer.class)
                        .single())
                .isZero();
        assertThat(api.get("/api/v1/group-ai/alerts?open=true&kind=drift_found")
                        .json()
                        .toString())
                .doesNotContain("m1");
    }

    private static List<String> drifts(JsonNode report) {
        assertThat(report.get("complete").asBoolean()).as(report.toString()).isTrue();
        List<String> out = new ArrayList<>();
        report.get("drifts").forEach(o -> {
            JsonNode d = o.get("drift");
            out.add(d.get("kind").asString() + " " + d.get("account_id").asString() + " "
                    + (d.get("server_id").isNull() ? "null" : d.get("server_id").asString()) + " "
                    + d.get("action").asString() + " " + o.get("outcome").asString());
        });
        return out;
    }

    private static JsonNode find(JsonNode report, String kind) {
        for (JsonNode o : report.get("drifts")) {
            if (o.get("drift").get("kind").asString().equals(kind)) {
                return o;
            }
        }
        throw new AssertionError("no " + kind + " in " + report);
    }

    private static JsonNode node(JsonNode report, String serverId) {
        for (JsonNode n : report.get("nodes")) {
            if (n.get("server_id").asString().equals(serverId)) {
                return n;
            }
        }
        throw new AssertionError("no node " + serverId + " in " + report);
    }

    private JsonNode get(String path) {
        Api.Response r = api.get(path);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private JsonNode post(String path) {
        Api.Response r = api.post(path, "");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private JsonNode summary() {
        return get("/api/v1/group-ai/account-allocation/summary");
    }

    private String status(String accountId) {
        return (String) row(accountId).get("status");
    }

    private Map<String, Object> row(String accountId) {
        return jdbc.sql("SELECT server_id, status, operation_id, source_node FROM accounts WHERE account_id = ?")
                .param(accountId)
                .query((rs, n) -> {
                    Map<String, Object> m = new java.util.HashMap<>();
                    m.put("server_id", rs.getString(1));
                    m.put("status", rs.getString(2));
                    m.put("operation_id", rs.getString(3));
                    m.put("source_node", rs.getString(4));
                    return m;
                })
                .single();
    }

    /** The store's archive of the account, as an upload would have left it on the node. */
    private void copyStoredSession(String accountId, String serverId) throws Exception {
        Path target = fleet.ssh(serverId).deployDir().resolve("sessions").resolve(accountId);
        Files.createDirectories(target);
        sessions.copyTo(accountId, target.resolve(SessionStore.ARCHIVE_NAME));
    }

    private static void awaitFile(Path file) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (!Files.isRegularFile(file)) {
            assertThat(Instant.now()).as("waiting for " + file).isBefore(deadline);
            Thread.sleep(50);
        }
    }
}
