package io.groupai.fleet.app.rebalance;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.app.allocation.SimulatedFleet;
import io.groupai.fleet.sessions.SessionStore;
import io.temporal.client.WorkflowClient;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * Rebalance through REST on the real app: two simulated servers (real SSH/SFTP, in-process agents on
 * their queues), four accounts all on one. A dry run answers the fewest moves and changes nothing; a run
 * moves exactly those accounts with MigrateAccountWorkflow children and reports them.
 */
@FleetIntegrationTest
class RebalanceApiTest {

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
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
        fleet = new SimulatedFleet(api, client, dir);
    }

    @AfterEach
    void tearDown() {
        fleet.close();
    }

    private Map<String, List<String>> placed() {
        Map<String, List<String>> placed = new TreeMap<>();
        jdbc.sql("SELECT server_id, account_id FROM accounts WHERE server_id IS NOT NULL ORDER BY account_id")
                .query((RowCallbackHandler)
                        rs -> placed.computeIfAbsent(rs.getString("server_id"), k -> new java.util.ArrayList<>())
                                .add(rs.getString("account_id")));
        return placed;
    }

    @Test
    void aDryRunAnswersTheFewestMovesAndMovesNothingThenARunMovesExactlyThose() throws Exception {
        fleet.node("rb-a", 5, true).node("rb-b", 5, true).start();
        List<String> ids = List.of("rb1", "rb2", "rb3", "rb4");
        SimulatedFleet.accounts(api, sessions, ids, true);
        Api.Response allocated = api.post("/api/v1/group-ai/account-allocation/batch?wait_seconds=60", """
                {"allocations": [{"account_id": "rb1", "server_id": "rb-a"}, {"account_id": "rb2", "server_id": "rb-a"},
                                 {"account_id": "rb3", "server_id": "rb-a"}, {"account_id": "rb4", "server_id": "rb-a"}]}""");
        assertThat(allocated.status()).as(allocated.body()).isEqualTo(200);
        Map<String, List<String>> before = placed();
        assertThat(before).containsOnlyKeys("rb-a");

        // 80 % against 0 %: two moves make it 40/40; one (60/20) would still be 40 points apart.
        Api.Response dry = api.post("/api/v1/group-ai/rebalance", "{\"dry_run\": true}");
        assertThat(dry.status()).as(dry.body()).isEqualTo(200);
        JsonNode plan = dry.json().get("plan");
        assertThat(plan.get("triggers").findValuesAsString("kind")).containsExactly("SPREAD");
        assertThat(plan.get("moves")).hasSize(2);
        assertThat(plan.get("minimum_moves").asInt()).isEqualTo(2);
        assertThat(plan.get("spread_before_percent").asDouble()).isEqualTo(80.0);
        assertThat(plan.get("spread_after_percent").asDouble()).isEqualTo(0.0);
        for (JsonNode move : plan.get("moves")) {
            assertThat(move.get("from_server_id").asString()).isEqualTo("rb-a");
            assertThat(move.get("to_server_id").asString()).isEqualTo("rb-b");
        }
        List<String> planned = plan.get("moves").findValuesAsString("account_id");
        assertThat(placed()).as("a dry run moves nothing").isEqualTo(before);
        assertThat(fleet.agent("rb-b").running()).isEmpty();
        // The viewers' read gives the same plan.
        assertThat(api.get("/api/v1/group-ai/rebalance/plan").json().get("plan").get("moves"))
                .isEqualTo(plan.get("moves"));

        Api.Response run = api.post("/api/v1/group-ai/rebalance", "{\"dry_run\": false}");
        assertThat(run.status()).as(run.body()).isEqualTo(202);
        String workflowId = run.json().get("workflow_id").asString();
        assertThat(workflowId).isEqualTo("rebalance-now");
        String progressUrl = run.json().get("progress_url").asString();
        JsonNode progress = null;
        Instant deadline = Instant.now().plusSeconds(120);
        while (Instant.now().isBefore(deadline)) {
            progress = api.get(progressUrl).json();
            if (!"RUNNING".equals(progress.get("status").asString())) {
                break;
            }
            Thread.sleep(200);
        }
        assertThat(progress.get("status").asString()).as(progress.toString()).isEqualTo("COMPLETED");
        JsonNode report = progress.get("report");
        assertThat(report.get("planned").asInt()).isEqualTo(2);
        assertThat(report.get("moved").asInt()).as(report.toString()).isEqualTo(2);
        assertThat(report.get("failed").asInt()).isZero();

        Map<String, List<String>> after = placed();
        assertThat(after.get("rb-b")).containsExactlyInAnyOrderElementsOf(planned);
        assertThat(after.get("rb-a")).hasSize(2).doesNotContainAnyElementsOf(planned);
        assertThat(fleet.agent("rb-b").running().keySet()).containsExactlyInAnyOrderElementsOf(planned);
        assertThat(fleet.agent("rb-a").running().keySet()).doesNotContainAnyElementsOf(planned);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM allocation_history WHERE allocation_type = 'rebalance' "
                                + "AND previous_server_id = 'rb-a'")
                        .query(Integer.class)
                        .single())
                .isEqualTo(2);
        // The generic workflow view knows the type too, and a balanced fleet plans nothing more.
        assertThat(api.get("/api/v1/group-ai/workflows/rebalance-now")
                        .json()
                        .get("result")
                        .get("moved")
                        .asInt())
                .isEqualTo(2);
        JsonNode again = api.post("/api/v1/group-ai/rebalance", "{\"dry_run\": true}")
                .json()
                .get("plan");
        assertThat(again.get("moves")).isEmpty();
        assertThat(again.get("message").asString()).startsWith("balanced");
    }

    @Autowired
    io.groupai.fleet.app.temporal.RecurringWorkflows recurring;

    @Autowired
    io.groupai.fleet.app.temporal.TemporalServerInfo server;

    /** On the Java test server (no Schedules) the scheduled rebalance is a cron workflow. */
    @Test
    void onTheJavaTestServerTheScheduleIsACronWorkflow() {
        assertThat(server.hasSchedules()).isFalse();
        var properties = new io.groupai.fleet.rebalance.RebalanceProperties(
                true, java.time.Duration.ofMinutes(10), 30, java.time.Duration.ofSeconds(2), 50, 200, 4, 1);
        new RebalanceSchedule(recurring, properties).apply();
        var stub = client.newUntypedWorkflowStub("rebalance-scheduled");
        try {
            var history = client.fetchHistory("rebalance-scheduled");
            var started = history.getEvents().get(0).getWorkflowExecutionStartedEventAttributes();
            assertThat(started.getCronSchedule()).isEqualTo("*/10 * * * *");
            assertThat(started.getWorkflowType().getName())
                    .isEqualTo(io.groupai.fleet.workflows.WorkflowTypes.REBALANCE);
            // Applying it again (an app restart) keeps the one that runs.
            new RebalanceSchedule(recurring, properties).apply();
            assertThat(client.fetchHistory("rebalance-scheduled")
                            .getEvents()
                            .get(0)
                            .getWorkflowExecutionStartedEventAttributes()
                            .getOriginalExecutionRunId())
                    .isEqualTo(started.getOriginalExecutionRunId());
        } finally {
            stub.terminate("test over: other tests' fleets must not be rebalanced");
        }
        assertThat(io.groupai.fleet.app.temporal.RecurringWorkflows.cronEvery(java.time.Duration.ofSeconds(30)))
                .isEqualTo("*/1 * * * *");
        assertThat(io.groupai.fleet.app.temporal.RecurringWorkflows.cronEvery(java.time.Duration.ofHours(2)))
                .isEqualTo("0 */2 * * *");
    }

    @Test
    void unknownOrForeignWorkflowIdsAre404() {
        assertThat(api.get("/api/v1/group-ai/rebalance/rebalance-nothing-here").status())
                .isEqualTo(404);
        assertThat(api.get("/api/v1/group-ai/rebalance/account-1").status()).isEqualTo(404);
    }
}
