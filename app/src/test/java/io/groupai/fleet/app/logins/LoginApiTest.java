package io.groupai.fleet.app.logins;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.allocation.AllocationStore;
import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.workflows.allocation.AllocationType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

@FleetIntegrationTest
class LoginApiTest {

    private static final String TOKEN_A = "node-a-token-0123456789abcdef";
    private static final String TOKEN_B = "node-b-token-0123456789abcdef";
    private static final String PHONE = "+4915112345678";

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    AllocationStore allocation;

    Api api;

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
        register("node-a", TOKEN_A);
        register("node-b", TOKEN_B);
    }

    @Test
    void phoneCodeAndPasswordReachTheNodeOnceAndAreNeverEchoed() throws Exception {
        placeOnNodeA("acc-login-1");
        String base = "/api/v1/group-ai/accounts/acc-login-1/login";

        Api.Response started = api.post(base, "{\"phone_number\": \"+49 151 1234-5678\"}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        JsonNode view = started.json();
        assertThat(view.get("state").asString()).isEqualTo("waiting_phone");
        assertThat(view.get("phone").asString()).isEqualTo("+49*********78");
        assertThat(view.get("node_id").asString()).isEqualTo("node-a");
        assertThat(view.get("pending_step").asString()).isEqualTo("phone");
        assertThat(started.body()).doesNotContain("12345678").doesNotContain("1234-5678");

        // Too early: the node has not said that Telegram wants a code.
        assertThat(api.post(base + "/code", "{\"code\": \"12345\"}").status()).isEqualTo(409);

        JsonNode first = poll("node-a", TOKEN_A, 0);
        assertThat(first).hasSize(1);
        assertThat(first.get(0).get("account_id").asString()).isEqualTo("acc-login-1");
        assertThat(first.get(0).get("step").asString()).isEqualTo("phone");
        assertThat(first.get(0).get("value").asString()).isEqualTo(PHONE);
        assertThat(poll("node-a", TOKEN_A, 0)).as("handed out once").isEmpty();
        assertThat(api.get(base).json().get("pending_step").isNull()).isTrue();

        report(
                "node-a",
                TOKEN_A,
                "acc-login-1",
                "{\"state\": \"waiting_code\", \"detail\": \"Telegram sent the login code\"}",
                204);
        assertThat(api.get(base).json().get("state").asString()).isEqualTo("waiting_code");

        // A waiting long poll is woken by the value.
        CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(() -> poll("node-a", TOKEN_A, 10_000));
        Thread.sleep(200);
        Api.Response code = api.post(base + "/code", "{\"code\": \"24680\"}");
        assertThat(code.status()).as(code.body()).isEqualTo(202);
        assertThat(code.body()).doesNotContain("24680");
        JsonNode delivered = waiting.get(5, TimeUnit.SECONDS);
        assertThat(delivered.get(0).get("step").asString()).isEqualTo("code");
        assertThat(delivered.get(0).get("value").asString()).isEqualTo("24680");

        report("node-a", TOKEN_A, "acc-login-1", "{\"state\": \"waiting_password\"}", 204);
        Api.Response password = api.post(base + "/password", "{\"password\": \"correct horse\"}");
        assertThat(password.status()).as(password.body()).isEqualTo(202);
        assertThat(password.body()).doesNotContain("correct horse");
        // Another node never sees it.
        assertThat(poll("node-b", TOKEN_B, 0)).isEmpty();
        assertThat(poll("node-a", TOKEN_A, 0).get(0).get("value").asString()).isEqualTo("correct horse");

        report("node-a", TOKEN_A, "acc-login-1", "{\"state\": \"authorized\", \"detail\": \"logged in\"}", 204);
        Api.Response done = api.get(base);
        assertThat(done.json().get("state").asString()).isEqualTo("authorized");
        assertThat(done.json().get("detail").asString()).isEqualTo("logged in");
        assertThat(done.body())
                .doesNotContain("24680")
                .doesNotContain("correct horse")
                .doesNotContain("12345678");
    }

    @Test
    void nodeEndpointsRequireTheNodesOwnToken() {
        placeOnNodeA("acc-login-2");
        api.post("/api/v1/group-ai/accounts/acc-login-2/login", "{\"phone_number\": \"" + PHONE + "\"}");

        Api.Response none = api.get("/api/v1/workers/node-a/logins?timeout_ms=0");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.contentType()).startsWith("application/problem+json");
        assertThat(none.body()).doesNotContain(PHONE);
        assertThat(api.get("/api/v1/workers/node-a/logins?timeout_ms=0", "Authorization", "Bearer " + TOKEN_B)
                        .status())
                .isEqualTo(401);
        assertThat(api.post("/api/v1/workers/node-a/logins/acc-login-2/state", "{\"state\": \"authorized\"}")
                        .status())
                .isEqualTo(401);
        // node-b authenticates as itself but the login belongs to node-a.
        report("node-b", TOKEN_B, "acc-login-2", "{\"state\": \"authorized\"}", 404);
        // The value is still there for the right node.
        assertThat(poll("node-a", TOKEN_A, 0).get(0).get("value").asString()).isEqualTo(PHONE);
        assertThat(api.get("/api/v1/group-ai/accounts/acc-login-2/login")
                        .json()
                        .get("state")
                        .asString())
                .isEqualTo("waiting_phone");
    }

    @Test
    void badInputIsA400NamingTheFieldWithoutQuotingIt() {
        placeOnNodeA("acc-login-3");
        String base = "/api/v1/group-ai/accounts/acc-login-3/login";
        assertField(api.post(base, "{}"), "phone_number");
        assertField(api.post(base, "{\"phone_number\": 4915112345678}"), "phone_number");
        assertField(api.post(base, "{\"phone_number\": \"call me\"}"), "phone_number");
        Api.Response malformed = api.post(base + "/password", "{\"password\": hunter2}");
        assertField(malformed, "body");
        assertThat(malformed.body()).doesNotContain("hunter2");

        api.post(base, "{\"phone_number\": \"" + PHONE + "\"}");
        poll("node-a", TOKEN_A, 0);
        report("node-a", TOKEN_A, "acc-login-3", "{\"state\": \"waiting_code\"}", 204);
        Api.Response badCode = api.post(base + "/code", "{\"code\": \"12a45\"}");
        assertField(badCode, "code");
        assertThat(badCode.body()).doesNotContain("12a45");
        assertField(api.post(base + "/password", "{\"password\": \"\"}"), "password");
        assertField(
                api.post(
                        "/api/v1/workers/node-a/logins/acc-login-3/state",
                        "{\"state\": \"done\"}",
                        "Authorization",
                        "Bearer " + TOKEN_A),
                "state");
        assertField(
                api.post(
                        "/api/v1/workers/node-a/logins/acc-login-3/state",
                        "{\"state\": \"failed\", \"detail\": 5}",
                        "Authorization",
                        "Bearer " + TOKEN_A),
                "detail");
        assertThat(api.get(base).json().get("state").asString()).isEqualTo("waiting_code");
    }

    @Test
    void unknownAccountsAre404AndUnplacedOnes409() {
        Api.Response unknown =
                api.post("/api/v1/group-ai/accounts/no-such-acc/login", "{\"phone_number\": \"" + PHONE + "\"}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(api.get("/api/v1/group-ai/accounts/no-such-acc/login").status())
                .isEqualTo(404);

        assertThat(api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"acc-unplaced\"}")
                        .status())
                .isEqualTo(201);
        Api.Response unplaced =
                api.post("/api/v1/group-ai/accounts/acc-unplaced/login", "{\"phone_number\": \"" + PHONE + "\"}");
        assertThat(unplaced.status()).as(unplaced.body()).isEqualTo(409);
        assertThat(unplaced.json().get("detail").asString()).contains("not placed");
        // Without a login in progress there is nothing to show or to answer.
        assertThat(api.get("/api/v1/group-ai/accounts/acc-unplaced/login").status())
                .isEqualTo(404);
        assertThat(api.post("/api/v1/group-ai/accounts/acc-unplaced/login/code", "{\"code\": \"12345\"}")
                        .status())
                .isEqualTo(404);
    }

    @Test
    void aCancelledLoginForgetsItsValue() {
        placeOnNodeA("acc-login-4");
        String base = "/api/v1/group-ai/accounts/acc-login-4/login";
        api.post(base, "{\"phone_number\": \"" + PHONE + "\"}");
        assertThat(api.delete(base).status()).isEqualTo(204);
        assertThat(poll("node-a", TOKEN_A, 0)).isEmpty();
        assertThat(api.get(base).status()).isEqualTo(404);
        assertThat(api.delete(base).status()).isEqualTo(404);
    }

    private void assertField(Api.Response response, String field) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo(field);
    }

    private JsonNode poll(String nodeId, String token, long timeoutMs) {
        Api.Response r = api.get(
                "/api/v1/workers/" + nodeId + "/logins?timeout_ms=" + timeoutMs, "Authorization", "Bearer " + token);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private void report(String nodeId, String token, String accountId, String body, int expected) {
        Api.Response r = api.post(
                "/api/v1/workers/" + nodeId + "/logins/" + accountId + "/state",
                body,
                "Authorization",
                "Bearer " + token);
        assertThat(r.status()).as(r.body()).isEqualTo(expected);
    }

    /** The node reports the account in a heartbeat (which records it, unassigned); allocation places it there. */
    private void placeOnNodeA(String accountId) {
        Api.Response r =
                api.post("/api/v1/workers/heartbeat", """
                {"node_id": "node-a", "status": "online", "accounts": [{"account_id": "%s", "status": "waiting_login"}]}""".formatted(accountId), "Authorization", "Bearer " + TOKEN_A);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        allocation.reserve(accountId, "node-a", "wf-login-" + accountId);
        allocation.complete(accountId, "node-a", AllocationType.MANUAL, 0, "wf-login-" + accountId, null);
        assertThat(api.get("/api/v1/group-ai/accounts/" + accountId)
                        .json()
                        .get("server_id")
                        .asString())
                .isEqualTo("node-a");
    }

    private void register(String nodeId, String token) {
        Api.Response created = api.post("/api/v1/group-ai/servers", """
                {"node_id": "%s", "host": "127.0.0.1", "user": "fleet", "deploy_dir": "/srv/%s", "max_accounts": 5,
                 "node_token": "%s"}""".formatted(nodeId, nodeId, token));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
    }
}
