package io.groupai.fleet.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import java.sql.Timestamp;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The small reads the admin pages added: allocation history (paged, filtered, newest first), the
 * accounts' source-node filter, usage and load score in the server list, and the Temporal server's
 * description with its UI address.
 */
@FleetIntegrationTest
class AdminPagesDataApiTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    Api api;

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
    }

    @Test
    void allocationHistoryIsPagedFilteredAndNewestFirst() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        String[][] rows = {
            {"acc-1", "srv-a", "initial"}, {"acc-2", "srv-b", "manual"}, {"acc-1", "srv-b", "rebalance"},
        };
        for (int i = 0; i < rows.length; i++) {
            jdbc.sql("INSERT INTO allocation_history (account_id, server_id, allocation_type, load_score, workflow_id,"
                            + " created_at, previous_server_id) VALUES (?, ?, ?, ?, ?, ?, ?)")
                    .params(
                            rows[i][0],
                            rows[i][1],
                            rows[i][2],
                            i == 1 ? null : 10.5 * (i + 1),
                            "wf-" + i,
                            Timestamp.from(t0.plusSeconds(i)),
                            i == 2 ? "srv-a" : null)
                    .update();
        }
        JsonNode all =
                api.get("/api/v1/group-ai/account-allocation/history?size=2").json();
        assertThat(all.get("total").asLong()).isEqualTo(3);
        assertThat(all.get("items")).hasSize(2);
        JsonNode newest = all.get("items").get(0);
        assertThat(newest.get("account_id").asString()).isEqualTo("acc-1");
        assertThat(newest.get("allocation_type").asString()).isEqualTo("rebalance");
        assertThat(newest.get("previous_server_id").asString()).isEqualTo("srv-a");
        assertThat(newest.get("created_at").asString()).isEqualTo("2026-01-01T00:00:02Z");
        assertThat(all.get("items").get(1).get("load_score").isNull()).isTrue();
        assertThat(api.get("/api/v1/group-ai/account-allocation/history?size=2&page=1")
                        .json()
                        .get("items"))
                .hasSize(1);

        JsonNode acc1 = api.get("/api/v1/group-ai/account-allocation/history?account_id=acc-1")
                .json();
        assertThat(acc1.get("total").asLong()).isEqualTo(2);
        JsonNode onB = api.get("/api/v1/group-ai/account-allocation/history?server_id=srv-b&account_id=acc-2")
                .json();
        assertThat(onB.get("total").asLong()).isEqualTo(1);
        assertThat(onB.get("items").get(0).get("workflow_id").asString()).isEqualTo("wf-1");

        Api.Response tooBig = api.get("/api/v1/group-ai/account-allocation/history?size=501");
        assertThat(tooBig.status()).isEqualTo(400);
        assertThat(tooBig.contentType()).startsWith("application/problem+json");
        assertThat(Api.anonymous(port)
                        .get("/api/v1/group-ai/account-allocation/history")
                        .status())
                .isEqualTo(401);
    }

    @Test
    void accountsFilterBySourceNode() {
        for (String id : new String[] {"src-1", "src-2", "src-3"}) {
            assertThat(api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"" + id + "\"}")
                            .status())
                    .isEqualTo(201);
        }
        jdbc.sql("UPDATE accounts SET source_node = 'node-x' WHERE account_id IN ('src-1', 'src-3')")
                .update();
        JsonNode seen = api.get("/api/v1/group-ai/accounts?source_node=node-x").json();
        assertThat(seen.get("total").asLong()).isEqualTo(2);
        assertThat(seen.get("items").get(0).get("account_id").asString()).isEqualTo("src-1");
        assertThat(seen.get("items").get(1).get("account_id").asString()).isEqualTo("src-3");
        assertThat(api.get("/api/v1/group-ai/accounts?source_node=node-x&status=unallocated&size=1")
                        .json()
                        .get("items"))
                .hasSize(1);
        assertThat(api.get("/api/v1/group-ai/accounts?source_node=")
                        .json()
                        .get("total")
                        .asLong())
                .as("an empty filter matches everything")
                .isEqualTo(3);
    }

    @Test
    void theServerListCarriesUsageAndLoadScore() {
        assertThat(api.post("/api/v1/group-ai/servers", """
                        {"node_id": "page-node", "host": "127.0.0.1", "port": 2222, "user": "u", "password": "pw-page-node",
                         "deploy_dir": "/srv/groupai", "max_accounts": 10}""").status()).isEqualTo(201);
        jdbc.sql("UPDATE servers SET cpu_usage = 50, memory_usage = 40, disk_usage = 20 WHERE node_id = 'page-node'")
                .update();
        JsonNode server =
                api.get("/api/v1/group-ai/servers").json().get("items").get(0);
        assertThat(server.get("cpu_usage").asDouble()).isEqualTo(50.0);
        assertThat(server.get("memory_usage").asDouble()).isEqualTo(40.0);
        assertThat(server.get("disk_usage").asDouble()).isEqualTo(20.0);
        // The seed's score: 0.3 * 50 + 0.3 * 40 + 0.3 * 0 accounts + 0.1 * 20, as /status computes it.
        assertThat(server.get("load_score").asDouble()).isEqualTo(29.0);
        assertThat(server.get("load_score").asDouble())
                .isEqualTo(api.get("/api/v1/group-ai/servers/page-node/status")
                        .json()
                        .get("load_score")
                        .asDouble());
    }

    @Test
    void temporalInfoSaysWhichServerAndWhetherAUiIsKnown() {
        JsonNode info = api.get("/api/v1/group-ai/temporal").json();
        assertThat(info.get("namespace").asString()).isEqualTo("default");
        assertThat(info.get("target").asString()).contains("127.0.0.1:");
        // The Java test server has no Web UI; the dev server's would be here.
        assertThat(info.get("ui_url").isNull()).isTrue();
        assertThat(Api.anonymous(port).get("/api/v1/group-ai/temporal").status())
                .isEqualTo(401);
    }
}
