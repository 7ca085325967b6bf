package io.groupai.fleet.app.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.allocation.PlacementService;
import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.sessions.SessionStore;
import io.groupai.fleet.workflows.allocation.PlannedPlacement;
import io.temporal.client.WorkflowClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
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
 * The seeds' allocation scenarios through REST, the allocation workflow on the embedded Temporal
 * server, real SFTP uploads to simulated SSH nodes and in-process node agents on their queues.
 */
@FleetIntegrationTest
class AllocationApiTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    WorkflowClient client;

    @Autowired
    SessionStore sessions;

    @Autowired
    PlacementService placement;

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

    private List<String> ids(String prefix, int n) {
        return IntStream.rangeClosed(1, n)
                .mapToObj(i -> prefix + "%02d".formatted(i))
                .toList();
    }

    private Map<String, Integer> placedPerServer() {
        Map<String, Integer> counts = new TreeMap<>();
        jdbc.sql("SELECT server_id, COUNT(*) AS n FROM accounts WHERE server_id IS NOT NULL GROUP BY server_id")
                .query((RowCallbackHandler) rs -> counts.put(rs.getString("server_id"), rs.getInt("n")));
        return counts;
    }

    @Test
    void autoBalancedPlacesEightAccountsThreeThreeTwoAndTheyRun() throws Exception {
        fleet.node("bal-a", 5, true)
                .node("bal-b", 5, true)
                .node("bal-c", 5, true)
                .start();
        SimulatedFleet.accounts(api, sessions, ids("6392773561", 8), true);

        Api.Response r =
                api.post("/api/v1/group-ai/account-allocation/auto?wait_seconds=60", "{\"strategy\": \"balanced\"}");

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.get("workflow_id").asString()).startsWith("allocate-");
        assertThat(body.get("status_url").asString())
                .isEqualTo(
                        "/api/v1/group-ai/workflows/" + body.get("workflow_id").asString());
        assertThat(body.get("planned").asInt()).isEqualTo(8);
        assertThat(body.get("result").get("placed").asInt()).as(body.toString()).isEqualTo(8);
        assertThat(placedPerServer())
                .containsExactly(Map.entry("bal-a", 3), Map.entry("bal-b", 3), Map.entry("bal-c", 2));
        JsonNode summary =
                api.get("/api/v1/group-ai/account-allocation/summary").json();
        assertThat(summary.get("allocated").asInt()).isEqualTo(8);
        assertThat(summary.get("servers").get("bal-a").get("current").asInt()).isEqualTo(3);
        for (String server : List.of("bal-a", "bal-b", "bal-c")) {
            List<String> onServer = jdbc.sql("SELECT account_id FROM accounts WHERE server_id = ?")
                    .param(server)
                    .query(String.class)
                    .list();
            assertThat(fleet.agent(server).running().keySet()).containsExactlyInAnyOrderElementsOf(onServer);
            onServer.forEach(a -> assertThat(fleet.ssh(server).deployDir().resolve("sessions/" + a + "/session.zip"))
                    .isRegularFile());
        }
        assertThat(jdbc.sql("SELECT COUNT(*) FROM accounts WHERE status = 'online'")
                        .query(Integer.class)
                        .single())
                .isEqualTo(8);
        assertThat(jdbc.sql(
                                "SELECT COUNT(*) FROM allocation_history WHERE allocation_type = 'initial' AND workflow_id = ? "
                                        + "AND load_score IS NOT NULL")
                        .param(body.get("workflow_id").asString())
                        .query(Integer.class)
                        .single())
                .isEqualTo(8);
        // the workflow status endpoint shows progress per account and the result
        JsonNode status = api.get(body.get("status_url").asString()).json();
        assertThat(status.get("status").asString()).isEqualTo("COMPLETED");
        JsonNode progress = status.get("progress");
        assertThat(progress.get("placed").asInt()).as(progress.toString()).isEqualTo(8);
        assertThat(progress.get("current_chunk").asString())
                .isEqualTo(body.get("workflow_id").asString() + "-chunk-1");
        assertThat(progress.get("chunk_accounts")).hasSize(8);
        assertThat(progress.get("chunk_accounts").get(0).has("account_id"))
                .as("snake_case like the rest of the API")
                .isTrue();
    }

    @Test
    void planningHasNoSideEffectTheReplyShowsTheWorkflowsPlanAndTheCursorMovesOnCommittedPlacements() throws Exception {
        fleet.node("rr-a", 5, true).node("rr-b", 5, true).node("rr-c", 5, true).start();
        SimulatedFleet.accounts(api, sessions, List.of("rr1", "rr2"), true);
        List<String> firstPlan = placement.plan("round_robin", List.of("rr1", "rr2"), List.of()).placements().stream()
                .map(PlannedPlacement::serverId)
                .toList();
        assertThat(firstPlan).containsExactly("rr-a", "rr-b");
        assertThat(placement
                        .plan("round_robin", List.of("rr1", "rr2"), List.of())
                        .placements())
                .as("planning again gives the same plan: plan places nothing and moves no cursor")
                .extracting(PlannedPlacement::serverId)
                .containsExactlyElementsOf(firstPlan);

        JsonNode auto = api.post(
                        "/api/v1/group-ai/account-allocation/auto?wait_seconds=60",
                        "{\"strategy\": \"round_robin\", \"parallelism\": 1}")
                .json();

        assertThat(auto.get("planned").asInt()).as(auto.toString()).isEqualTo(2);
        assertThat(auto.get("plan").findValuesAsString("server_id"))
                .as("the reply shows the plan the workflow made and followed")
                .containsExactly("rr-a", "rr-b");
        assertThat(auto.get("result").get("placed").asInt()).isEqualTo(2);
        assertThat(placedPerServer()).containsExactly(Map.entry("rr-a", 1), Map.entry("rr-b", 1));
        // the committed placements moved the cursor: the next account goes to the next server in turn
        SimulatedFleet.accounts(api, sessions, List.of("rr3"), true);
        assertThat(placement.plan("round_robin", List.of("rr3"), List.of()).placements())
                .extracting(PlannedPlacement::serverId)
                .containsExactly("rr-c");
    }

    @Test
    void aServerThatHasNeverAnsweredAProbeOrSentAHeartbeatTakesNoAccounts() throws Exception {
        // Registered but never reached (nothing listens on port 1): nothing may be placed there.
        Api.Response created = api.post("/api/v1/group-ai/servers", """
                {"node_id": "never-seen", "host": "127.0.0.1", "port": 1, "user": "fleet", "password": "never-used-password-1",
                 "deploy_dir": "/srv/never-seen", "max_accounts": 5}""");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        SimulatedFleet.accounts(api, sessions, ids("ns", 2), true);

        Api.Response batch = api.post("/api/v1/group-ai/account-allocation/batch", """
                {"allocations": [{"account_id": "ns01", "server_id": "never-seen"}]}""");
        assertThat(batch.status()).as(batch.body()).isEqualTo(409);
        assertThat(batch.body())
                .contains(
                        "server never-seen has never answered a probe or sent a heartbeat",
                        "/api/v1/group-ai/servers/never-seen/bootstrap");

        JsonNode auto = api.post(
                        "/api/v1/group-ai/account-allocation/auto?wait_seconds=30", "{\"strategy\": \"balanced\"}")
                .json();
        assertThat(auto.get("planned").asInt()).as(auto.toString()).isZero();
        assertThat(auto.get("unplaced_accounts").findValuesAsString("reason"))
                .hasSize(2)
                .allSatisfy(reason ->
                        assertThat(reason).contains("never-seen has never answered a probe or sent a heartbeat"));
        assertThat(placedPerServer()).isEmpty();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM accounts WHERE status = 'allocating'")
                        .query(Integer.class)
                        .single())
                .isZero();
    }

    @Test
    void fiftyAccountsAtOnceOnThreeByFivePlaceExactlyFifteenAndReportNoCapacity() throws Exception {
        fleet.node("cap-a", 5, true)
                .node("cap-b", 5, true)
                .node("cap-c", 5, true)
                .start();
        SimulatedFleet.accounts(api, sessions, ids("acc", 50), true);

        JsonNode body = api.post(
                        "/api/v1/group-ai/account-allocation/auto?wait_seconds=120", "{\"strategy\": \"load_balance\"}")
                .json();

        JsonNode result = body.get("result");
        assertThat(result.get("placed").asInt()).as(body.toString()).isEqualTo(15);
        assertThat(result.get("failed").asInt()).isEqualTo(35);
        List<String> reasons = new ArrayList<>();
        result.get("outcomes").forEach(o -> {
            if (!o.get("success").asBoolean()) {
                reasons.add(o.get("message").asString());
            }
        });
        assertThat(reasons).hasSize(35).allSatisfy(m -> assertThat(m).contains("no capacity", "15/15"));
        assertThat(placedPerServer())
                .containsExactly(Map.entry("cap-a", 5), Map.entry("cap-b", 5), Map.entry("cap-c", 5));
    }

    @Test
    void aFullServerIsNeverChosen() throws Exception {
        fleet.node("full-a", 2, true).node("full-b", 5, true).start();
        SimulatedFleet.accounts(api, sessions, ids("f", 6), true);
        Api.Response batch = api.post("/api/v1/group-ai/account-allocation/batch?wait_seconds=60", """
                {"allocations": [{"account_id": "f01", "server_id": "full-a"}, {"account_id": "f02", "server_id": "full-a"}]}""");
        assertThat(batch.status()).as(batch.body()).isEqualTo(200);
        assertThat(batch.json().get("result").get("placed").asInt()).isEqualTo(2);

        JsonNode auto = api.post(
                        "/api/v1/group-ai/account-allocation/auto?wait_seconds=60", "{\"strategy\": \"round_robin\"}")
                .json();

        assertThat(auto.get("result").get("placed").asInt()).as(auto.toString()).isEqualTo(4);
        assertThat(placedPerServer()).containsExactly(Map.entry("full-a", 2), Map.entry("full-b", 4));
        assertThat(jdbc.sql("SELECT allocation_type FROM allocation_history WHERE account_id = 'f01'")
                        .query(String.class)
                        .single())
                .isEqualTo("manual");
    }

    @Test
    void singleAllocateAnswersInTheSeedShapeAndAMissingSessionFailsNamingAccountServerAndStep() throws Exception {
        fleet.node("one-a", 5, true).start();
        SimulatedFleet.accounts(api, sessions, List.of("639277356598"), true);

        Api.Response r = api.post("/api/v1/group-ai/accounts/allocate", """
                {"account_id": "639277356598", "session_file": "sessions/639277356598.session",
                 "script_id": "000新人欢迎剧本", "allocation_strategy": "load_balance"}""");

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.get("success").asBoolean()).isTrue();
        assertThat(body.get("server_id").asString()).isEqualTo("one-a");
        assertThat(body.get("remote_path").asString()).endsWith("/sessions/639277356598/session.zip");
        assertThat(body.get("load_score").isNumber()).isTrue();
        assertThat(body.get("message").asString()).contains("one-a");
        assertThat(body.get("workflow_id").asString()).isEqualTo("account-639277356598");

        // registered on the fly by the seed's call, but no session archive was ever uploaded
        Api.Response missing = api.post("/api/v1/group-ai/accounts/allocate", "{\"account_id\": \"639000000001\"}");
        JsonNode failed = missing.json();
        assertThat(failed.get("success").asBoolean()).as(missing.body()).isFalse();
        assertThat(failed.get("message").asString())
                .contains("account 639000000001", "server one-a", "step upload-session", "no session archive");
        assertThat(jdbc.sql("SELECT server_id FROM accounts WHERE account_id = '639000000001'")
                        .query(String.class)
                        .optional())
                .as("nothing left reserved")
                .isEmpty();
    }

    @Test
    void rebalanceMovesAnAccountToTheTargetAndRecordsIt() throws Exception {
        fleet.node("mig-a", 5, true).node("mig-b", 5, true).start();
        SimulatedFleet.accounts(api, sessions, List.of("m1"), true);
        api.post(
                "/api/v1/group-ai/account-allocation/batch?wait_seconds=60",
                "{\"allocations\": [{\"account_id\": \"m1\", \"server_id\": \"mig-a\"}]}");
        assertThat(fleet.agent("mig-a").running()).containsKey("m1");

        Api.Response r = api.post(
                "/api/v1/group-ai/accounts/rebalance",
                "{\"account_id\": \"m1\", \"target_server_id\": \"mig-b\", \"reason\": \"server_overload\"}");

        assertThat(r.status()).as(r.body()).isEqualTo(202);
        assertThat(r.json().get("workflow_id").asString()).isEqualTo("account-m1");
        JsonNode done = awaitClosed("account-m1");
        assertThat(done.get("result").get("success").asBoolean())
                .as(done.toString())
                .isTrue();
        assertThat(jdbc.sql("SELECT server_id FROM accounts WHERE account_id = 'm1'")
                        .query(String.class)
                        .single())
                .isEqualTo("mig-b");
        assertThat(fleet.agent("mig-a").running()).doesNotContainKey("m1");
        assertThat(fleet.agent("mig-b").running()).containsKey("m1");
        assertThat(fleet.ssh("mig-b").deployDir().resolve("sessions/m1/session.zip"))
                .isRegularFile();
        assertThat(fleet.ssh("mig-a").deployDir().resolve("sessions/m1")).doesNotExist();
        assertThat(jdbc.sql(
                                "SELECT previous_server_id FROM allocation_history WHERE account_id = 'm1' AND allocation_type = 'rebalance'")
                        .query(String.class)
                        .single())
                .isEqualTo("mig-a");
    }

    @Test
    void badInputIsRefusedWithAnErrorPerItemAndNothingReserved() throws Exception {
        fleet.node("bad-a", 2, true).start();
        api.post("/api/v1/group-ai/servers", """
                {"node_id": "bad-off", "host": "127.0.0.1", "port": 22, "user": "fleet", "password": "x",
                 "deploy_dir": "/tmp/x", "max_accounts": 5, "status": "disabled"}""");
        SimulatedFleet.accounts(api, sessions, ids("b", 5), true);
        jdbc.sql("UPDATE accounts SET server_id = 'bad-a', status = 'online' WHERE account_id = 'b05'")
                .update();

        Api.Response strategy = api.post("/api/v1/group-ai/account-allocation/auto", "{\"strategy\": \"fastest\"}");
        assertThat(strategy.status()).isEqualTo(400);
        assertThat(strategy.contentType()).contains("application/problem+json");
        assertThat(strategy.json().get("detail").asString())
                .contains(
                        "fastest",
                        "balanced",
                        "round_robin",
                        "least_loaded",
                        "load_balance",
                        "location",
                        "affinity",
                        "isolation");

        Api.Response bad = api.post("/api/v1/group-ai/account-allocation/batch", """
                {"allocations": [{"account_id": "b01", "server_id": "bad-a"},
                                 {"account_id": "ghost", "server_id": "bad-a"},
                                 {"account_id": "b02", "server_id": "nowhere"},
                                 {"account_id": "b01", "server_id": "bad-a"},
                                 {"account_id": "b03", "server_id": "bad-off"},
                                 {"account_id": "b05", "server_id": "bad-a"}]}""");
        assertThat(bad.status()).isEqualTo(400);
        JsonNode errors = bad.json().get("errors");
        assertThat(errors.findValuesAsString("field"))
                .containsExactly(
                        "allocations[1].account_id",
                        "allocations[2].server_id",
                        "allocations[3].account_id",
                        "allocations[4].server_id",
                        "allocations[5].account_id");
        assertThat(errors.findValuesAsString("message"))
                .anySatisfy(m -> assertThat(m).contains("ghost", "does not exist"))
                .anySatisfy(m -> assertThat(m).contains("nowhere", "not registered"))
                .anySatisfy(m -> assertThat(m).contains("b01", "twice"))
                .anySatisfy(m -> assertThat(m).contains("bad-off", "disabled"))
                .anySatisfy(m -> assertThat(m).contains("b05", "already placed on server bad-a"));

        // capacity counting the batch itself: bad-a holds 1 of 2, the batch asks for 2 more
        Api.Response full = api.post("/api/v1/group-ai/account-allocation/batch", """
                {"allocations": [{"account_id": "b01", "server_id": "bad-a"}, {"account_id": "b02", "server_id": "bad-a"}]}""");
        assertThat(full.status()).isEqualTo(409);
        assertThat(full.json().get("errors").findValuesAsString("message"))
                .singleElement()
                .asString()
                .contains("no capacity", "bad-a", "would make it 3");

        assertThat(jdbc.sql("SELECT COUNT(*) FROM accounts WHERE server_id IS NOT NULL")
                        .query(Integer.class)
                        .single())
                .as("nothing reserved")
                .isEqualTo(1);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM workflow_runs WHERE workflow_id NOT LIKE 'server-op-%'")
                        .query(Integer.class)
                        .single())
                .as("no workflow but the fleet's probes")
                .isZero();
        assertThat(api.post("/api/v1/group-ai/accounts/rebalance", "{\"account_id\": \"b01\"}")
                        .status())
                .as("rebalance of an unplaced account")
                .isEqualTo(409);
        assertThat(api.post("/api/v1/group-ai/accounts/rebalance", "{\"account_id\": \"nobody\"}")
                        .status())
                .isEqualTo(404);
        assertThat(api.post("/api/v1/group-ai/accounts/allocate", "{\"account_id\": \"b05\"}")
                        .status())
                .as("allocate an account that is already placed")
                .isEqualTo(409);
    }

    @Test
    void twoConcurrentBatchRequestsForTheSameAccountOneWinsTheOtherIsToldWhy() throws Exception {
        fleet.node("race-a", 5, true).node("race-b", 5, true).start();
        SimulatedFleet.accounts(api, sessions, List.of("r1"), true);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Api.Response>> responses = new ArrayList<>();
            for (String server : List.of("race-a", "race-b")) {
                Callable<Api.Response> call = () -> {
                    go.await();
                    return api.post(
                            "/api/v1/group-ai/account-allocation/batch",
                            "{\"allocations\": [{\"account_id\": \"r1\", \"server_id\": \"" + server + "\"}]}");
                };
                responses.add(pool.submit(call));
            }
            go.countDown();
            List<Api.Response> done = new ArrayList<>();
            for (Future<Api.Response> f : responses) {
                done.add(f.get());
            }
            assertThat(done).extracting(Api.Response::status).containsExactlyInAnyOrder(202, 409);
            Api.Response loser =
                    done.stream().filter(x -> x.status() == 409).findFirst().orElseThrow();
            assertThat(loser.json().get("errors").findValuesAsString("message"))
                    .singleElement()
                    .asString()
                    .contains("r1")
                    .containsAnyOf("already placed", "claimed by a concurrent request");
        } finally {
            pool.shutdownNow();
        }
        assertThat(jdbc.sql("SELECT COUNT(*) FROM accounts WHERE server_id IS NOT NULL")
                        .query(Integer.class)
                        .single())
                .isEqualTo(1);
    }

    private JsonNode awaitClosed(String workflowId) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            JsonNode details =
                    api.get("/api/v1/group-ai/workflows/" + workflowId).json();
            if (!"RUNNING".equals(details.get("status").asString())) {
                return details;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("workflow " + workflowId + " did not finish in 60 s");
    }
}
