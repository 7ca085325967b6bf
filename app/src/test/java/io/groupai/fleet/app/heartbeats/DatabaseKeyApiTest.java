package io.groupai.fleet.app.heartbeats;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.app.security.AccessRules;
import io.groupai.fleet.registry.ServerRepository;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * An account's TDLib database key goes to the node the database gives the account to (assigned, or
 * reserved by an allocation or a migration toward it), with that node's token, and to nobody else; it
 * is stored encrypted and never shows up in an operator API answer or a log line.
 */
@FleetIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class DatabaseKeyApiTest {

    private static final String TOKEN_A = "key-node-a-token-0123456789abcdef";
    private static final String TOKEN_B = "key-node-b-token-0123456789abcdef";
    private static final String ACCOUNT = "639200000001";

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ServerRepository servers;

    Api api;
    Api anonymous;

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
        anonymous = Api.anonymous(port);
        register("key-node-a", TOKEN_A);
        register("key-node-b", TOKEN_B);
        assertThat(api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"" + ACCOUNT + "\"}")
                        .status())
                .isEqualTo(201);
        jdbc.sql("UPDATE accounts SET server_id = 'key-node-a' WHERE account_id = ?")
                .param(ACCOUNT)
                .update();
    }

    private Api.Response fetch(String node, String account, String token) {
        return anonymous.get(
                "/api/v1/workers/" + node + "/accounts/" + account + "/database-key",
                "Authorization",
                "Bearer " + token);
    }

    @Test
    void theAssignedNodeGetsTheSameRandomKeyEveryTimeStoredEncrypted(CapturedOutput output) {
        Api.Response first = fetch("key-node-a", ACCOUNT, TOKEN_A);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(AccessRules.NODE_DATABASE_KEY
                        .matcher("/api/v1/workers/key-node-a/accounts/" + ACCOUNT + "/database-key")
                        .matches())
                .isTrue();
        String key = first.json().get("database_encryption_key").asString();
        assertThat(Base64.getDecoder().decode(key)).hasSize(32);
        assertThat(first.json().get("account_id").asString()).isEqualTo(ACCOUNT);
        assertThat(fetch("key-node-a", ACCOUNT, TOKEN_A)
                        .json()
                        .get("database_encryption_key")
                        .asString())
                .isEqualTo(key);

        String stored = jdbc.sql("SELECT key_secret FROM account_database_keys WHERE account_id = ?")
                .param(ACCOUNT)
                .query(String.class)
                .single();
        assertThat(stored).isNotEqualTo(key).doesNotContain(key);

        // A second account gets a key of its own.
        assertThat(api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"639200000002\"}")
                        .status())
                .isEqualTo(201);
        jdbc.sql("UPDATE accounts SET server_id = 'key-node-a' WHERE account_id = '639200000002'")
                .update();
        assertThat(fetch("key-node-a", "639200000002", TOKEN_A)
                        .json()
                        .get("database_encryption_key")
                        .asString())
                .isNotEqualTo(key);

        // No operator answer carries it.
        for (String path : new String[] {
            "/api/v1/group-ai/accounts/" + ACCOUNT,
            "/api/v1/group-ai/accounts",
            "/api/v1/group-ai/servers/key-node-a",
            "/api/v1/audit?size=100"
        }) {
            Api.Response r = api.get(path);
            assertThat(r.status()).as(path).isEqualTo(200);
            assertThat(r.body()).as(path).doesNotContain(key);
        }
        // An operator's token does not open the node channel.
        assertThat(api.get("/api/v1/workers/key-node-a/accounts/" + ACCOUNT + "/database-key")
                        .status())
                .isEqualTo(401);
        assertThat(output.getAll()).doesNotContain(key);
    }

    @Test
    void anotherNodesTokenAndAnotherNodesAccountAreRefused(CapturedOutput output) {
        String key = fetch("key-node-a", ACCOUNT, TOKEN_A)
                .json()
                .get("database_encryption_key")
                .asString();

        Api.Response foreignToken = fetch("key-node-a", ACCOUNT, TOKEN_B);
        assertThat(foreignToken.status()).isEqualTo(401);
        assertThat(foreignToken.contentType()).startsWith("application/problem+json");

        Api.Response foreignAccount = fetch("key-node-b", ACCOUNT, TOKEN_B);
        assertThat(foreignAccount.status()).as(foreignAccount.body()).isEqualTo(403);
        assertThat(foreignAccount.contentType()).startsWith("application/problem+json");
        assertThat(foreignAccount.json().get("detail").asString())
                .contains(ACCOUNT, "not assigned or reserved to node key-node-b");

        Api.Response unknown = fetch("key-node-a", "639299999999", TOKEN_A);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");

        assertThat(anonymous
                        .get("/api/v1/workers/key-node-a/accounts/" + ACCOUNT + "/database-key")
                        .status())
                .isEqualTo(401);
        for (Api.Response r : new Api.Response[] {foreignToken, foreignAccount, unknown}) {
            assertThat(r.body()).doesNotContain(key, TOKEN_A, TOKEN_B);
        }
        // Refusals issue no key.
        assertThat(jdbc.sql("SELECT COUNT(*) FROM account_database_keys")
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        assertThat(output.getAll()).doesNotContain(key);
    }

    @Test
    void aNodeGetsTheKeyOfAnAccountReservedToItAndLosesItWhenTheAccountMovesAway() {
        String key = fetch("key-node-a", ACCOUNT, TOKEN_A)
                .json()
                .get("database_encryption_key")
                .asString();
        assertThat(fetch("key-node-b", ACCOUNT, TOKEN_B).status()).isEqualTo(403);

        // A migration toward key-node-b reserves it: the target may open the session.
        jdbc.sql("UPDATE accounts SET reserved_server_id = 'key-node-b' WHERE account_id = ?")
                .param(ACCOUNT)
                .update();
        Api.Response target = fetch("key-node-b", ACCOUNT, TOKEN_B);
        assertThat(target.status()).as(target.body()).isEqualTo(200);
        assertThat(target.json().get("database_encryption_key").asString()).isEqualTo(key);

        // The switch: key-node-b runs it, key-node-a no longer gets the key.
        jdbc.sql("UPDATE accounts SET server_id = 'key-node-b', reserved_server_id = NULL WHERE account_id = ?")
                .param(ACCOUNT)
                .update();
        assertThat(fetch("key-node-a", ACCOUNT, TOKEN_A).status()).isEqualTo(403);
        assertThat(fetch("key-node-b", ACCOUNT, TOKEN_B).status()).isEqualTo(200);
    }

    private void register(String nodeId, String token) {
        Api.Response created = api.post("/api/v1/group-ai/servers", """
                {"node_id": "%s", "host": "127.0.0.1", "user": "fleet", "deploy_dir": "/srv/%s", "max_accounts": 3,
                 "node_token": "%s"}""".formatted(nodeId, nodeId, token));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        servers.recordProbe(nodeId, true, 100L, 10, 20, 30, 1);
    }
}
