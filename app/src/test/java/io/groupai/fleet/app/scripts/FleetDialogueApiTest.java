package io.groupai.fleet.app.scripts;

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

/**
 * Per-account allowed groups over REST, and what nodes learn through the heartbeat: the fleet's Telegram user
 * ids (reported by the nodes themselves) and their accounts' groups, as a version in every reply and a download
 * under the node's own path.
 */
@FleetIntegrationTest
class FleetDialogueApiTest {

    private static final String TOKEN_A = "dialogue-a-token-0123456789abcdef";
    private static final String TOKEN_B = "dialogue-b-token-0123456789abcdef";
    private static final String ON_A = "639200000001";
    private static final String ALSO_ON_A = "639200000002";
    private static final String ON_B = "639200000003";

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    FleetDialogueDirectory directory;

    Api api;

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
        register("dialogue-a", TOKEN_A);
        register("dialogue-b", TOKEN_B);
        for (String account : new String[] {ON_A, ALSO_ON_A, ON_B}) {
            assertThat(api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"" + account + "\"}")
                            .status())
                    .isEqualTo(201);
        }
        jdbc.sql("UPDATE accounts SET server_id = 'dialogue-a' WHERE account_id IN (?, ?)")
                .params(ON_A, ALSO_ON_A)
                .update();
        jdbc.sql("UPDATE accounts SET server_id = 'dialogue-b' WHERE account_id = ?")
                .param(ON_B)
                .update();
    }

    @Test
    void groupsAreSetPerAccountAndNodesLearnThemAndTheFleetsUsersThroughAVersionedDownload() throws Exception {
        Api.Response put = api.put(
                "/api/v1/group-ai/accounts/" + ON_A + "/groups",
                "{\"group_ids\": [-1002000000002, -1002000000001, -1002000000002]}");
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().get("group_ids").values())
                .extracting(JsonNode::asLong)
                .containsExactly(-1002000000002L, -1002000000001L);
        assertThat(api.get("/api/v1/group-ai/accounts/" + ON_A + "/groups")
                        .json()
                        .get("group_ids")
                        .values())
                .extracting(JsonNode::asLong)
                .containsExactly(-1002000000002L, -1002000000001L);
        assertThat(api.get("/api/v1/group-ai/accounts/" + ON_B + "/groups")
                        .json()
                        .get("group_ids"))
                .isEmpty();
        assertThat(api.put("/api/v1/group-ai/accounts/nobody/groups", "{\"group_ids\": [-1]}")
                        .status())
                .isEqualTo(404);

        // Node a reports the Telegram users of its accounts, and tries to name one of node b's: ignored.
        String v1 = heartbeat("dialogue-a", TOKEN_A, """
                [{"account_id": "%s", "status": "online", "telegram_user_id": 7000000001},
                 {"account_id": "%s", "status": "online"},
                 {"account_id": "%s", "status": "online", "telegram_user_id": 7000000666}]""".formatted(ON_A, ALSO_ON_A, ON_B));
        heartbeat("dialogue-b", TOKEN_B, """
                [{"account_id": "%s", "status": "online", "telegram_user_id": 7000000003}]""".formatted(ON_B));
        // No wait: a user id recorded here reaches the next heartbeat's version at once (the cache holds for 10 s).
        String v2 = heartbeat("dialogue-a", TOKEN_A, "[]");
        assertThat(v2).isNotBlank().isNotEqualTo(v1);
        assertThat(heartbeat("dialogue-a", TOKEN_A, "[]"))
                .as("unchanged: same version")
                .isEqualTo(v2);

        JsonNode viewA =
                Api.as(port, TOKEN_A).get("/api/v1/workers/dialogue-a/dialogue").json();
        assertThat(viewA.get("version").asString()).isEqualTo(v2);
        assertThat(viewA.get("fleet_user_ids").values())
                .extracting(JsonNode::asLong)
                .containsExactly(7000000001L, 7000000003L);
        assertThat(viewA.get("account_groups").properties()).singleElement().satisfies(e -> {
            assertThat(e.getKey()).isEqualTo(ON_A);
            assertThat(e.getValue().values())
                    .extracting(JsonNode::asLong)
                    .containsExactly(-1002000000002L, -1002000000001L);
        });
        // Node b sees the same fleet, but only its own accounts' groups (none).
        JsonNode viewB =
                Api.as(port, TOKEN_B).get("/api/v1/workers/dialogue-b/dialogue").json();
        assertThat(viewB.get("fleet_user_ids")).hasSize(2);
        assertThat(viewB.get("account_groups").properties()).isEmpty();
        // A node's view is its own.
        assertThat(Api.as(port, TOKEN_B)
                        .get("/api/v1/workers/dialogue-a/dialogue")
                        .status())
                .isEqualTo(401);
        assertThat(Api.anonymous(port)
                        .get("/api/v1/workers/dialogue-a/dialogue")
                        .status())
                .isEqualTo(401);

        // A change of groups changes the version of that node's view; the node says when it applied it.
        api.put("/api/v1/group-ai/accounts/" + ALSO_ON_A + "/groups", "{\"group_ids\": [-1002000000009]}");
        String v3 = heartbeat("dialogue-a", TOKEN_A, "[]");
        assertThat(v3).isNotEqualTo(v2);
        assertThat(directory.upToDate("dialogue-a")).isFalse();
        assertThat(directory.allowedIn(java.util.List.of(ON_A, ALSO_ON_A, ON_B), -1002000000001L))
                .containsExactly(ON_A, ON_B);
        Api.as(port, TOKEN_A)
                .post(
                        "/api/v1/workers/heartbeat",
                        "{\"node_id\": \"dialogue-a\", \"status\": \"online\", \"accounts\": [], \"dialogue_version\": \""
                                + v3 + "\"}");
        assertThat(directory.upToDate("dialogue-a")).isTrue();
        // [] lifts the restriction.
        assertThat(api.put("/api/v1/group-ai/accounts/" + ALSO_ON_A + "/groups", "{\"group_ids\": []}")
                        .json()
                        .get("group_ids"))
                .isEmpty();
        assertThat(heartbeat("dialogue-a", TOKEN_A, "[]")).isEqualTo(v2);
    }

    @Test
    void aViewerMayReadGroupsButNotChangeThem() {
        String viewer = "dialogue-viewer";
        jdbc.sql("DELETE FROM operator_users WHERE username = ?").param(viewer).update();
        assertThat(api.post(
                                "/api/v1/auth/users",
                                "{\"username\": \"" + viewer
                                        + "\", \"password\": \"viewer-pass-123456\", \"role\": \"viewer\"}")
                        .status())
                .isEqualTo(201);
        Api asViewer = Api.as(port, Api.token(port, viewer, "viewer-pass-123456"));
        assertThat(asViewer.get("/api/v1/group-ai/accounts/" + ON_A + "/groups").status())
                .isEqualTo(200);
        Api.Response refused = asViewer.put("/api/v1/group-ai/accounts/" + ON_A + "/groups", "{\"group_ids\": [-1]}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(api.get("/api/v1/group-ai/accounts/" + ON_A + "/groups")
                        .json()
                        .get("group_ids"))
                .isEmpty();
    }

    private String heartbeat(String nodeId, String token, String accounts) {
        Api.Response r = Api.as(port, token)
                .post(
                        "/api/v1/workers/heartbeat",
                        "{\"node_id\": \"" + nodeId + "\", \"status\": \"online\", \"accounts\": " + accounts + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("dialogue_version").asString();
    }

    private void register(String nodeId, String token) {
        Api.Response created = api.post("/api/v1/group-ai/servers", """
                {"node_id": "%s", "host": "127.0.0.1", "user": "fleet", "deploy_dir": "/srv/%s", "max_accounts": 3,
                 "node_token": "%s"}""".formatted(nodeId, nodeId, token));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
    }
}
