package io.groupai.fleet.app.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

@FleetIntegrationTest
class AccountApiTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    Api api;

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
        assertThat(api.post("/api/v1/group-ai/servers", """
                {"node_id": "manila", "host": "10.1.1.1", "user": "ubuntu", "deploy_dir": "/srv/g", "max_accounts": 5}""").status()).isEqualTo(201);
    }

    @Test
    void createsListsFiltersAndPages() {
        for (int i = 0; i < 7; i++) {
            Api.Response created = api.post("/api/v1/group-ai/accounts", """
                    {"account_id": "63900000000%d", "session_file": "sessions/63900000000%d.session", "script_id": "000新人欢迎剧本"}""".formatted(i, i));
            assertThat(created.status()).isEqualTo(201);
        }
        jdbc.sql(
                        "UPDATE accounts SET server_id = 'manila', status = 'online' WHERE account_id IN ('639000000001', '639000000002')")
                .update();

        JsonNode onManila =
                api.get("/api/v1/group-ai/accounts?server_id=manila").json();
        assertThat(onManila.get("total").asInt()).isEqualTo(2);
        assertThat(onManila.get("items").findValuesAsString("account_id"))
                .containsExactly("639000000001", "639000000002");

        JsonNode unallocated =
                api.get("/api/v1/group-ai/accounts?status=unallocated").json();
        assertThat(unallocated.get("total").asInt()).isEqualTo(5);

        JsonNode page1 = api.get("/api/v1/group-ai/accounts?page=1&size=3").json();
        assertThat(page1.get("total").asInt()).isEqualTo(7);
        assertThat(page1.get("items").findValuesAsString("account_id"))
                .containsExactly("639000000003", "639000000004", "639000000005");

        JsonNode one = api.get("/api/v1/group-ai/accounts/639000000001").json();
        assertThat(one.get("server_id").asString()).isEqualTo("manila");
        assertThat(one.get("script_id").asString()).isEqualTo("000新人欢迎剧本");
    }

    @Test
    void rejectsBadInputAndConflictsWithoutChangingAnything() {
        assertThat(api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"a1\"}")
                        .status())
                .isEqualTo(201);

        Api.Response duplicate =
                api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"a1\", \"script_id\": \"x\"}");
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.json().get("detail").asString()).contains("already exists");

        Api.Response invalid = api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"a b; rm\"}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.json().get("errors").findValuesAsString("field")).containsExactly("account_id");

        assertThat(api.get("/api/v1/group-ai/accounts?size=0").status()).isEqualTo(400);

        jdbc.sql("UPDATE accounts SET server_id = 'manila' WHERE account_id = 'a1'")
                .update();
        Api.Response deletePlaced = api.delete("/api/v1/group-ai/accounts/a1");
        assertThat(deletePlaced.status()).isEqualTo(409);
        assertThat(deletePlaced.json().get("detail").asString()).contains("manila");
        Api.Response deleteServer = api.delete("/api/v1/group-ai/servers/manila");
        assertThat(deleteServer.status()).isEqualTo(409);
        assertThat(deleteServer.json().get("detail").asString()).contains("still holds 1 accounts");

        assertThat(jdbc.sql("SELECT COUNT(*) FROM accounts")
                        .query(Integer.class)
                        .single())
                .isEqualTo(1);
        assertThat(api.get("/api/v1/group-ai/accounts/nope").status()).isEqualTo(404);
    }

    @Test
    void theDatabaseRefusesASecondServerRowForAnAccount() {
        api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"a2\"}");
        // One row per account (primary key) holding one server_id: a second placement can only replace, never add.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> jdbc.sql(
                                "INSERT INTO accounts (account_id, server_id, status, message_count, reply_count, created_at, updated_at) "
                                        + "VALUES ('a2', 'manila', 'online', 0, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
                        .update())
                .isInstanceOf(org.springframework.dao.DuplicateKeyException.class);
        // And a server that does not exist cannot be assigned.
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> jdbc.sql("UPDATE accounts SET server_id = 'ghost' WHERE account_id = 'a2'")
                                .update())
                .isInstanceOf(org.springframework.dao.DataIntegrityViolationException.class);
    }
}
