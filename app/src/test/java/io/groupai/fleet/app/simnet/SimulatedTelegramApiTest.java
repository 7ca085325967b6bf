package io.groupai.fleet.app.simnet;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** The simulated Telegram network: groups, joins, messages and long-polled updates per account. */
@FleetIntegrationTest
class SimulatedTelegramApiTest {

    private static final String AUTH = "Bearer sim-node-token-0123456789abcdef";

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    Api api;

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
        api.post("/api/v1/group-ai/servers", """
                {"node_id": "sim-node", "host": "127.0.0.1", "user": "fleet", "deploy_dir": "/srv/sim", "max_accounts": 5,
                 "node_token": "sim-node-token-0123456789abcdef"}""");
    }

    @Test
    void membersSeeJoinsAndMessagesButNotTheirOwn() throws Exception {
        String alice = "sim-" + System.nanoTime();
        String bob = alice + "b";
        assertThat(connect(alice).get("user_id").asLong()).isPositive();
        connect(bob);
        long chat = api.post("/api/v1/sim-telegram/groups", "{\"title\": \"Simulated lobby\"}")
                .json()
                .get("chat_id")
                .asLong();
        api.post("/api/v1/sim-telegram/groups/" + chat + "/members", "{\"account_id\": \"" + alice + "\"}");
        api.post("/api/v1/sim-telegram/groups/" + chat + "/members", "{\"account_id\": \"" + bob + "\"}");

        // Bob waits for news; a human joining wakes him up.
        CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(() -> updates(bob, 0, 10_000));
        Thread.sleep(200);
        assertThat(waiting).isNotDone();
        api.post("/api/v1/sim-telegram/groups/" + chat + "/members", "{\"first_name\": \"Ana\"}");
        JsonNode bobs = waiting.get(5, TimeUnit.SECONDS);
        JsonNode join = last(bobs);
        assertThat(join.get("type").asString()).isEqualTo("new_member");
        assertThat(join.get("from_first_name").asString()).isEqualTo("Ana");
        assertThat(join.get("chat_title").asString()).isEqualTo("Simulated lobby");

        api.post(
                "/api/v1/sim-telegram/groups/" + chat + "/messages",
                "{\"from_first_name\": \"Ana\", \"text\": \"hello\"}");
        long offset = join.get("update_id").asLong() + 1;
        JsonNode hello = last(updates(bob, offset, 1000));
        assertThat(hello.get("type").asString()).isEqualTo("new_message");
        assertThat(hello.get("text").asString()).isEqualTo("hello");

        Api.Response sent = api.post(
                "/api/v1/sim-telegram/accounts/" + alice + "/messages",
                "{\"chat_id\": " + chat + ", \"text\": \"欢迎 Ana\"}",
                "Authorization",
                AUTH);
        assertThat(sent.status()).as(sent.body()).isEqualTo(200);
        assertThat(last(updates(bob, hello.get("update_id").asLong() + 1, 1000))
                        .get("text")
                        .asString())
                .isEqualTo("欢迎 Ana");
        // Alice does not receive her own message.
        JsonNode alices = updates(alice, 0, 0);
        assertThat(alices.findValuesAsString("text")).contains("hello").doesNotContain("欢迎 Ana");
        assertThat(api.get("/api/v1/sim-telegram/groups/" + chat + "/messages").json())
                .hasSize(2);

        // A reply names the answered message and its author (what the `reply` trigger needs).
        long alicesMessage = sent.json().get("message_id").asLong();
        Api.Response reply = api.post(
                "/api/v1/sim-telegram/groups/" + chat + "/messages",
                "{\"from_first_name\": \"Ana\", \"text\": \"thanks\", \"reply_to_message_id\": " + alicesMessage + "}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        assertThat(reply.json().get("reply_to_message_id").asLong()).isEqualTo(alicesMessage);
        JsonNode toAlice = last(updates(alice, 0, 1000));
        assertThat(toAlice.get("text").asString()).isEqualTo("thanks");
        assertThat(toAlice.get("reply_to_message_id").asLong()).isEqualTo(alicesMessage);
        assertThat(toAlice.get("reply_to_user_id").asLong())
                .isEqualTo(connect(alice).get("user_id").asLong());
        Api.Response noSuchMessage = api.post(
                "/api/v1/sim-telegram/groups/" + chat + "/messages",
                "{\"from_first_name\": \"Ana\", \"text\": \"?\", \"reply_to_message_id\": 9999}");
        assertThat(noSuchMessage.status()).isEqualTo(404);
        assertThat(noSuchMessage.contentType()).startsWith("application/problem+json");
    }

    @Test
    void nodeCallsNeedTheNodesToken() {
        String account = "sim-auth-" + System.nanoTime();
        assertThat(api.post("/api/v1/sim-telegram/accounts/" + account + "/connect", "{\"node_id\": \"sim-node\"}")
                        .status())
                .isEqualTo(401);
        connect(account);
        assertThat(api.get("/api/v1/sim-telegram/accounts/" + account + "/updates", "Authorization", "Bearer wrong")
                        .status())
                .isEqualTo(401);
        long chat = api.post("/api/v1/sim-telegram/groups", "{\"title\": \"g\"}")
                .json()
                .get("chat_id")
                .asLong();
        Api.Response notMember = api.post(
                "/api/v1/sim-telegram/accounts/" + account + "/messages",
                "{\"chat_id\": " + chat + ", \"text\": \"hi\"}",
                "Authorization",
                AUTH);
        assertThat(notMember.status()).isEqualTo(409);
        assertThat(notMember.json().get("detail").asString()).contains("not a member");
    }

    /**
     * The network lives in the control plane's memory: after a restart it knows no connection, while the
     * node still polls for its accounts. It must hear "connect again", not "your token is wrong".
     */
    @Test
    void aPollOfAnAccountTheNetworkDoesNotKnowAsksToConnectAgain() {
        String account = "sim-forgotten-" + System.nanoTime();
        Api.Response poll =
                api.get("/api/v1/sim-telegram/accounts/" + account + "/updates?timeout_ms=0", "Authorization", AUTH);
        assertThat(poll.status()).as(poll.body()).isEqualTo(409);
        assertThat(poll.json().get("detail").asString())
                .contains("account " + account + " is not connected", "connect it again");
        Api.Response send = api.post(
                "/api/v1/sim-telegram/accounts/" + account + "/messages",
                "{\"chat_id\": -1, \"text\": \"hi\"}",
                "Authorization",
                AUTH);
        assertThat(send.status()).as(send.body()).isEqualTo(409);
        connect(account);
        assertThat(updates(account, 0, 0).size()).isZero();
    }

    private JsonNode connect(String account) {
        Api.Response response = api.post(
                "/api/v1/sim-telegram/accounts/" + account + "/connect",
                "{\"node_id\": \"sim-node\"}",
                "Authorization",
                AUTH);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private JsonNode updates(String account, long offset, long timeoutMillis) {
        Api.Response response = api.get(
                "/api/v1/sim-telegram/accounts/" + account + "/updates?offset=" + offset + "&timeout_ms="
                        + timeoutMillis,
                "Authorization",
                AUTH);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().get("updates");
    }

    private static JsonNode last(JsonNode updates) {
        assertThat(updates.size()).isPositive();
        return updates.get(updates.size() - 1);
    }
}
