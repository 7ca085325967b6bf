package io.groupai.fleet.app.heartbeats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupai.fleet.allocation.AllocationRefusedException;
import io.groupai.fleet.allocation.AllocationStore;
import io.groupai.fleet.allocation.PlacementService;
import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.sessions.SessionStore;
import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.allocation.AllocationType;
import io.groupai.fleet.workflows.allocation.PlanResult;
import io.groupai.fleet.workflows.allocation.PlannedPlacement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

@FleetIntegrationTest
class HeartbeatApiTest {

    private static final String TOKEN = "node-a-token-0123456789abcdef";
    private static final String AUTH = "Bearer " + TOKEN;

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    SessionStore sessions;

    @Autowired
    AllocationStore allocation;

    @Autowired
    ServerRepository servers;

    @Autowired
    PlacementService placement;

    Api api;

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
        register("node-a", 3, TOKEN);
        register("node-b", 3, "node-b-token-0123456789abcdef");
    }

    @Test
    void syncsReportedAccountsIntoTheDatabaseAndRenewsTheLease() {
        api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"639000000001\"}");
        place("639000000001", "node-a");

        Api.Response reply = heartbeat("""
                {"node_id": "node-a", "status": "online", "account_count": 2, "agent_version": "seed-python",
                 "accounts": [
                   {"account_id": "639000000001", "status": "online", "script_id": "welcome", "message_count": 150,
                    "reply_count": 45, "last_activity": "2025-12-01T18:00:00", "session_file": "sessions/639000000001.session",
                    "group_ids": [123456789], "extra": "ignored"},
                   {"account_id": "639000000002", "status": "offline", "message_count": 3, "reply_count": 1}
                 ]}""");

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().get("ok").asBoolean()).isTrue();
        assertThat(reply.json().get("lease_expires_at").asString()).isNotBlank();
        JsonNode first = api.get("/api/v1/group-ai/accounts/639000000001").json();
        assertThat(first.get("server_id").asString()).isEqualTo("node-a");
        assertThat(first.get("source_node").asString()).isEqualTo("node-a");
        assertThat(first.get("message_count").asLong()).isEqualTo(150);
        assertThat(first.get("reply_count").asLong()).isEqualTo(45);
        assertThat(first.get("status").asString()).isEqualTo("online");
        assertThat(first.get("group_ids").get(0).asLong()).isEqualTo(123456789L);
        assertThat(first.get("last_activity").asString()).startsWith("2025-12-01T18:00");
        // Unknown to the database: recorded as reported, seen on node-a, but not assigned by a heartbeat.
        JsonNode second = api.get("/api/v1/group-ai/accounts/639000000002").json();
        assertThat(second.get("server_id").isNull()).isTrue();
        assertThat(second.get("source_node").asString()).isEqualTo("node-a");
        assertThat(second.get("message_count").asLong()).isEqualTo(3);
        assertThat(reply.json().get("rejected_accounts").values())
                .extracting(JsonNode::asString)
                .containsExactly("639000000002");
        JsonNode summary =
                api.get("/api/v1/group-ai/account-allocation/summary").json();
        assertThat(summary.get("servers").get("node-a").get("current").asInt()).isEqualTo(1);
        assertThat(summary.get("unallocated").asInt()).isEqualTo(1);
        assertThat(summary.get("total_accounts").asInt()).isEqualTo(2);
        assertThat(api.get("/api/v1/group-ai/servers/node-a/status")
                        .json()
                        .get("last_heartbeat")
                        .isNull())
                .isFalse();

        // Counters are running totals: a later report replaces them.
        heartbeat("""
                {"node_id": "node-a", "status": "online", "account_count": 1,
                 "accounts": [{"account_id": "639000000001", "status": "online", "message_count": 160, "reply_count": 50}]}""");
        assertThat(api.get("/api/v1/group-ai/accounts/639000000001")
                        .json()
                        .get("message_count")
                        .asLong())
                .isEqualTo(160);
    }

    @Test
    void neverAssignsNorMovesAnAccount() {
        api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"acc-1\"}");
        api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"b-1\"}");
        place("acc-1", "node-a");

        Api.Response fromB = heartbeat("""
                {"node_id": "node-b", "status": "online", "accounts": [
                   {"account_id": "acc-1", "status": "online"},
                   {"account_id": "b-1", "status": "online"}, {"account_id": "b-2", "status": "online"}]}""", "Bearer node-b-token-0123456789abcdef");

        assertThat(fromB.json().get("rejected_accounts").values())
                .extracting(JsonNode::asString)
                .containsExactly("acc-1", "b-1", "b-2");
        JsonNode acc1 = api.get("/api/v1/group-ai/accounts/acc-1").json();
        assertThat(acc1.get("server_id").asString()).isEqualTo("node-a");
        assertThat(acc1.get("source_node").asString()).isEqualTo("node-b");
        assertThat(acc1.get("status").asString()).isEqualTo("online");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM accounts WHERE server_id = 'node-b'")
                        .query(Integer.class)
                        .single())
                .isZero();
        // Listing an account does not give the node its session either.
        assertThat(api.get(
                                "/api/v1/workers/node-b/sessions/b-1",
                                "Authorization",
                                "Bearer node-b-token-0123456789abcdef")
                        .status())
                .isEqualTo(403);
    }

    @Test
    void anAccountReportedRevokedRaisesAccountDeadOnceAndANewLoginResolvesIt() {
        api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"dead-1\"}");
        place("dead-1", "node-a");
        String report = """
                {"node_id": "node-a", "status": "online", "accounts": [
                   {"account_id": "dead-1", "status": "%s", "message_count": %d}]}""";
        heartbeat(report.formatted("online", 1));
        assertThat(openAlerts("account_dead")).isEmpty();

        heartbeat(report.formatted("session_revoked", 2));
        heartbeat(report.formatted("session_revoked", 3)); // still dead: no second alert, no new occurrence
        JsonNode dead = openAlerts("account_dead");
        assertThat(dead.size()).isEqualTo(1);
        assertThat(dead.get(0).get("account_id").asString()).isEqualTo("dead-1");
        assertThat(dead.get(0).get("server_id").asString()).isEqualTo("node-a");
        assertThat(dead.get(0).get("occurrences").asInt()).isEqualTo(1);
        assertThat(dead.get(0).get("message").asString()).contains("dead-1", "node-a", "session_revoked");

        heartbeat(report.formatted("online", 4));
        assertThat(openAlerts("account_dead")).isEmpty();
    }

    private JsonNode openAlerts(String kind) {
        return api.get("/api/v1/group-ai/alerts?open=true&kind=" + kind).json().get("items");
    }

    @Test
    void whileAnOperationHoldsAnAccountItsStatusIsLeftToThatOperation() {
        api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"held-1\"}");
        allocation.reserve("held-1", "node-a", "wf-held");

        heartbeat("""
                {"node_id": "node-a", "status": "online", "accounts": [
                   {"account_id": "held-1", "status": "online", "message_count": 4}]}""");

        JsonNode held = api.get("/api/v1/group-ai/accounts/held-1").json();
        assertThat(held.get("status").asString()).isEqualTo("allocating");
        assertThat(held.get("message_count").asLong()).isEqualTo(4);
        assertThat(allocation.release("held-1", "node-a", "wf-held")).isTrue();
    }

    @Test
    void anUnchangedReportWritesNoAccountRow() {
        api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"same-1\"}");
        api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"same-2\"}");
        place("same-1", "node-a");
        place("same-2", "node-a");
        String report = """
                {"node_id": "node-a", "status": "online", "accounts": [
                   {"account_id": "same-1", "status": "online", "message_count": 5, "last_activity": "2025-12-01T18:00:00.123456"},
                   {"account_id": "same-2", "status": "online", "message_count": %d, "group_ids": [1, 2]}]}""";
        heartbeat(report.formatted(1));
        // A marker only a write would replace.
        jdbc.sql("UPDATE accounts SET last_report_at = ? WHERE account_id IN ('same-1', 'same-2')")
                .param(java.sql.Timestamp.valueOf("2001-01-01 00:00:00"))
                .update();

        heartbeat(report.formatted(2));

        assertThat(jdbc.sql("SELECT account_id FROM accounts WHERE last_report_at > ? ORDER BY account_id")
                        .param(java.sql.Timestamp.valueOf("2001-01-02 00:00:00"))
                        .query(String.class)
                        .list())
                .containsExactly("same-2");
        assertThat(api.get("/api/v1/group-ai/accounts/same-2")
                        .json()
                        .get("message_count")
                        .asLong())
                .isEqualTo(2);
    }

    @Test
    void anAccountANodeOnlyListsIsRecordedButNotClaimed() {
        api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"released-1\"}");

        Api.Response reply = heartbeat("""
                {"node_id": "node-a", "status": "online", "accounts": [
                   {"account_id": "released-1", "status": "stopped", "message_count": 2},
                   {"account_id": "never-seen", "status": "stopped"}]}""");

        assertThat(reply.json().get("rejected_accounts")).isEmpty();
        JsonNode released = api.get("/api/v1/group-ai/accounts/released-1").json();
        assertThat(released.get("server_id").isNull()).isTrue();
        assertThat(released.get("source_node").asString()).isEqualTo("node-a");
        assertThat(released.get("message_count").asLong()).isEqualTo(2);
        assertThat(api.get("/api/v1/group-ai/accounts/never-seen")
                        .json()
                        .get("server_id")
                        .isNull())
                .isTrue();
    }

    @Test
    void rejectsMissingOrWrongTokensAndMalformedBodiesWithoutChangingAnything() {
        String body =
                "{\"node_id\": \"node-a\", \"status\": \"online\", \"accounts\": [{\"account_id\": \"x1\", \"status\": \"online\"}]}";
        assertThat(api.post("/api/v1/workers/heartbeat", body).status()).isEqualTo(401);
        assertThat(api.post("/api/v1/workers/heartbeat", body, "Authorization", "Bearer node-b-token-0123456789abcdef")
                        .status())
                .isEqualTo(401);
        Api.Response wrong = api.post("/api/v1/workers/heartbeat", body, "Authorization", "Bearer nope");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.contentType()).startsWith("application/problem+json");

        assertField("{\"status\": \"online\"}", "node_id");
        assertField("{\"node_id\": \"node-a\", \"status\": 1}", "status");
        assertField("{\"node_id\": \"node-a\", \"status\": \"online\", \"accounts\": {}}", "accounts");
        assertField(
                "{\"node_id\": \"node-a\", \"status\": \"online\", \"accounts\": [{\"account_id\": \"x1\", \"status\": \"online\", "
                        + "\"message_count\": \"many\"}]}",
                "accounts[0].message_count");
        assertField(
                "{\"node_id\": \"node-a\", \"status\": \"online\", \"accounts\": [{\"status\": \"online\"}]}",
                "accounts[0].account_id");
        assertField(
                "{\"node_id\": \"node-a\", \"status\": \"online\", \"accounts\": [{\"account_id\": \"x1\", \"status\": \"online\", "
                        + "\"last_activity\": \"yesterday\"}]}",
                "accounts[0].last_activity");

        assertThat(jdbc.sql("SELECT COUNT(*) FROM accounts")
                        .query(Integer.class)
                        .single())
                .isZero();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM servers WHERE last_heartbeat IS NOT NULL")
                        .query(Integer.class)
                        .single())
                .isZero();
    }

    @Test
    void updateScriptTakesOnlyThisControlPlanesUrlsWithAChecksum() {
        String sha = "ab".repeat(32);
        String own = "http://127.0.0.1:" + port + "/api/v1/group-ai/scripts/welcome/download";
        record Case(String url, String sha256, String field) {}
        for (Case c : new Case[] {
            new Case("https://evil.example/welcome.yaml", sha, "params.download_url"),
            new Case(
                    "http://127.0.0.1:" + (port + 1) + "/api/v1/group-ai/scripts/welcome/download",
                    sha,
                    "params.download_url"),
            new Case("//evil.example/welcome.yaml", sha, "params.download_url"),
            new Case("http://user@127.0.0.1:" + port + "/x", sha, "params.download_url"),
            new Case("file:///etc/passwd", sha, "params.download_url"),
            new Case("welcome.yaml", sha, "params.download_url"),
            new Case("/api/v1/group-ai/scripts/welcome/download", null, "params.sha256"),
            new Case("/api/v1/group-ai/scripts/welcome/download", "not-hex", "params.sha256"),
            new Case("/api/v1/group-ai/scripts/welcome/download", "AB".repeat(32), "params.sha256"),
        }) {
            String params = "\"script_id\": \"welcome\", \"version\": \"1\", \"download_url\": \"" + c.url() + "\""
                    + (c.sha256() == null ? "" : ", \"sha256\": \"" + c.sha256() + "\"");
            Api.Response r = api.post(
                    "/api/v1/group-ai/servers/node-a/commands",
                    "{\"action\": \"update_script\", \"params\": {" + params + "}}");
            assertThat(r.status()).as(c + " " + r.body()).isEqualTo(400);
            assertThat(r.json().get("errors").findValuesAsString("field"))
                    .as(r.body())
                    .contains(c.field());
        }
        assertThat(api.get("/api/v1/group-ai/servers/node-a/commands").json()).isEmpty();

        // Its own origin, absolute or as a path, with a checksum: queued.
        Api.Response ok = api.post("/api/v1/group-ai/servers/node-a/commands", """
                {"action": "update_script", "params": {"script_id": "welcome", "version": "1",
                 "download_url": "%s", "sha256": "%s"}}""".formatted(own, sha));
        assertThat(ok.status()).as(ok.body()).isEqualTo(201);
    }

    @Test
    void queuedCommandsAreDeliveredInTheNextReplyUntilAcknowledged() throws Exception {
        Api.Response queued = api.post("/api/v1/group-ai/servers/node-a/commands", """
                {"action": "update_script", "params": {"script_id": "welcome", "version": "1.1",
                 "download_url": "/api/v1/group-ai/scripts/welcome/download", "sha256": "%s"}}""".formatted("ab".repeat(32)));
        assertThat(queued.status()).as(queued.body()).isEqualTo(201);
        long id = queued.json().get("id").asLong();

        JsonNode first = heartbeat("{\"node_id\": \"node-a\", \"status\": \"online\", \"accounts\": []}")
                .json();
        assertThat(first.get("pending_commands")).hasSize(1);
        JsonNode command = first.get("pending_commands").get(0);
        assertThat(command.get("id").asLong()).isEqualTo(id);
        assertThat(command.get("action").asString()).isEqualTo("update_script");
        assertThat(command.get("params").get("download_url").asString()).endsWith("/scripts/welcome/download");

        // Not acknowledged: delivered again (at least once).
        JsonNode again = heartbeat("{\"node_id\": \"node-a\", \"status\": \"online\", \"accounts\": []}")
                .json();
        assertThat(again.get("pending_commands")).hasSize(1);

        JsonNode acked = heartbeat(
                        "{\"node_id\": \"node-a\", \"status\": \"online\", \"accounts\": [], \"acked_commands\": [" + id
                                + "]}")
                .json();
        assertThat(acked.get("pending_commands")).isEmpty();
        JsonNode listed =
                api.get("/api/v1/group-ai/servers/node-a/commands").json().get(0);
        assertThat(listed.get("status").asString()).isEqualTo("acked");
        assertThat(listed.get("attempts").asInt()).isEqualTo(2);

        // A session for a heartbeat-only worker the account was allocated to: the node fetches it with its token.
        heartbeat(
                "{\"node_id\": \"node-a\", \"status\": \"online\", \"accounts\": [{\"account_id\": \"acc-s\", \"status\": \"offline\"}]}");
        place("acc-s", "node-a");
        Path temp = sessions.newTempFile();
        Files.write(temp, new byte[] {'P', 'K', 3, 4, 1, 2, 3});
        sessions.store("acc-s", temp);
        assertThat(api.post(
                                "/api/v1/group-ai/servers/node-a/commands",
                                "{\"action\": \"upload_session\", \"params\": {\"account_id\": \"acc-s\"}}")
                        .status())
                .isEqualTo(201);
        String sessionUrl = heartbeat("{\"node_id\": \"node-a\", \"status\": \"online\", \"accounts\": []}")
                .json()
                .get("pending_commands")
                .get(0)
                .get("params")
                .get("session_url")
                .asString();
        String path = sessionUrl.substring(sessionUrl.indexOf("/api/"));
        assertThat(api.get(path, "Authorization", AUTH).body()).startsWith("PK");
        assertThat(api.get(path).status()).isEqualTo(401);
        assertThat(api.get(path.replace("node-a", "node-b"), "Authorization", "Bearer node-b-token-0123456789abcdef")
                        .status())
                .isEqualTo(403);

        Api.Response unknownAction =
                api.post("/api/v1/group-ai/servers/node-a/commands", "{\"action\": \"format_disk\"}");
        assertThat(unknownAction.status()).isEqualTo(400);
        Api.Response notAssigned = api.post(
                "/api/v1/group-ai/servers/node-b/commands",
                "{\"action\": \"upload_session\", \"params\": {\"account_id\": \"acc-s\"}}");
        assertThat(notAssigned.status()).isEqualTo(409);
    }

    @Test
    void theReplyListsTheAccountsTheDatabaseAssignsToTheNodeButNoneAnOperationHolds() {
        for (String id : new String[] {"as-1", "as-2", "as-held", "as-failed", "as-b"}) {
            api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"" + id + "\", \"script_id\": \"welcome\"}");
        }
        jdbc.sql("UPDATE servers SET max_accounts = 10 WHERE node_id = 'node-a'")
                .update();
        place("as-1", "node-a");
        place("as-2", "node-a");
        place("as-b", "node-b");
        allocation.reserve("as-held", "node-a", "wf-held"); // an allocation (or a migration) owns it
        allocation.reserve("as-failed", "node-a", "wf-failed");
        allocation.markFailed("as-failed", "node-a", "wf-failed", "could not confirm a stop");

        // A node that stopped everything (fenced) reports its accounts stopped; they stay assigned to it.
        JsonNode reply = heartbeat("""
                        {"node_id": "node-a", "status": "online", "want_assigned_accounts": true, "accounts": [
                           {"account_id": "as-1", "status": "stopped"}]}""").json();
        assertThat(heartbeat("""
                                {"node_id": "node-a", "status": "online", "accounts": []}""").json().get("assigned_accounts").isNull())
                .as("listed only when the node asks (its agent started, or its lease had run out)")
                .isTrue();

        assertThat(reply.get("assigned_accounts").values())
                .extracting(a -> a.get("account_id").asString() + ":"
                        + a.get("script_id").asString())
                .containsExactly("as-1:welcome", "as-2:welcome");
        assertThat(allocation.release("as-held", "node-a", "wf-held")).isTrue();
    }

    @Test
    void aServerWhoseLeaseExpiredTakesNoAccounts() {
        api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"lease-1\"}");
        heartbeat("""
                {"node_id": "node-a", "status": "online", "accounts": []}""");
        jdbc.sql("UPDATE servers SET lease_expires_at = ? WHERE node_id = 'node-a'")
                .param(java.sql.Timestamp.from(java.time.Instant.now().minusSeconds(1)))
                .update();

        assertThatThrownBy(() -> allocation.reserve("lease-1", "node-a", "wf-lease"))
                .isInstanceOfSatisfying(AllocationRefusedException.class, e -> {
                    assertThat(e.code()).isEqualTo(FailureTypes.SERVER_NOT_ELIGIBLE);
                    assertThat(e.getMessage()).contains("node-a's lease expired");
                });
        PlanResult plan = placement.plan("load_balance", List.of("lease-1"), List.of());
        assertThat(plan.placements())
                .as("node-b has never sent a heartbeat (no lease to lose) and answered its probe")
                .extracting(PlannedPlacement::serverId)
                .containsExactly("node-b");

        // The next heartbeat renews the lease and the server is eligible again.
        heartbeat("""
                {"node_id": "node-a", "status": "online", "accounts": []}""");
        assertThat(allocation.reserve("lease-1", "node-a", "wf-lease").serverId())
                .isEqualTo("node-a");
    }

    @Test
    void theNodeTokenIsWriteOnly() {
        for (String path : new String[] {"/api/v1/group-ai/servers", "/api/v1/group-ai/servers/node-a"}) {
            String body = api.get(path).body();
            assertThat(body).doesNotContain(TOKEN).contains("\"node_token_configured\":true");
        }
        assertThat(jdbc.sql("SELECT token_secret FROM node_tokens WHERE node_id = 'node-a'")
                        .query(String.class)
                        .single())
                .doesNotContain(TOKEN);
    }

    /** Assignment is allocation's: reserve and complete, as the allocation workflow does. */
    private void place(String accountId, String nodeId) {
        allocation.reserve(accountId, nodeId, "wf-place-" + accountId);
        allocation.complete(accountId, nodeId, AllocationType.MANUAL, 0, "wf-place-" + accountId, null);
    }

    private Api.Response heartbeat(String body) {
        return heartbeat(body, AUTH);
    }

    private Api.Response heartbeat(String body, String authorization) {
        Api.Response response = api.post("/api/v1/workers/heartbeat", body, "Authorization", authorization);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response;
    }

    private void assertField(String body, String field) {
        Api.Response response = api.post("/api/v1/workers/heartbeat", body, "Authorization", AUTH);
        assertThat(response.status()).as(body).isEqualTo(400);
        assertThat(response.json().get("errors").findValuesAsString("field"))
                .as(response.body())
                .contains(field);
    }

    private void register(String nodeId, int max, String token) {
        Api.Response created = api.post("/api/v1/group-ai/servers", """
                {"node_id": "%s", "host": "127.0.0.1", "user": "fleet", "deploy_dir": "/srv/%s", "max_accounts": %d,
                 "node_token": "%s"}""".formatted(nodeId, nodeId, max, token));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        // A server takes accounts only once it has answered a probe (or sent a heartbeat).
        servers.recordProbe(nodeId, true, 100L, 10, 20, 30, 1);
    }
}
