package io.groupai.fleet.app.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Sign-in, roles and API tokens through the real port: without a token only health answers (and the
 * admin pages' static files, which hold no data: AdminPagesApiTest); a viewer
 * reads; an operator also changes accounts, allocations and server operations; an admin also the
 * server registry, users, API tokens and the audit log. "Allowed" means the request got past
 * authorization (a 2xx, or the controller's own 4xx such as 404 for a server that does not exist);
 * "refused" means 403 problem+json naming the role it needs.
 */
@FleetIntegrationTest
class RoleAccessApiTest {

    private static final String SERVER = """
            {"node_id": "role-node", "host": "127.0.0.1", "port": 2222, "user": "ubuntu", "password": "pw-role-node",
             "deploy_dir": "/srv/groupai", "max_accounts": 5}""";

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    Api admin;

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        jdbc.sql("DELETE FROM operator_users WHERE username <> ?")
                .param(Api.TEST_ADMIN_USERNAME)
                .update();
        jdbc.sql("DELETE FROM api_tokens").update();
        jdbc.sql("DELETE FROM audit_log").update();
        admin = new Api(port);
        assertThat(admin.post("/api/v1/group-ai/servers", SERVER).status()).isEqualTo(201);
    }

    @Test
    void withoutATokenOnlyHealthAnswers() {
        Api anonymous = Api.anonymous(port);
        Api.Response health = anonymous.get("/actuator/health");
        assertThat(health.status()).isIn(200, 503);
        assertThat(health.json().has("status")).isTrue();
        assertThat(health.json().has("components")).as("details need a token").isFalse();
        assertThat(admin.get("/actuator/health").json().has("components")).isTrue();
        List<String> open = new ArrayList<>();
        for (String[] call : new String[][] {
            {"GET", "/api/v1/group-ai/servers"},
            {"GET", "/api/v1/group-ai/servers/role-node"},
            {"GET", "/api/v1/group-ai/accounts"},
            {"GET", "/api/v1/group-ai/account-allocation/summary"},
            {"GET", "/api/v1/group-ai/workflows"},
            {"GET", "/api/v1/sim-telegram/groups"},
            {"GET", "/api/v1/audit"},
            {"GET", "/api/v1/auth/users"},
            {"GET", "/api/v1/auth/me"},
            {"GET", "/actuator/info"},
            {"GET", "/no-such-page"},
            {"POST", "/api/v1/group-ai/account-allocation/auto"},
            {"POST", "/api/v1/group-ai/servers"},
            {"POST", "/api/v1/group-ai/servers/role-node/actions/stop"},
            {"DELETE", "/api/v1/group-ai/servers/role-node"},
        }) {
            Api.Response r = call[0].equals("GET")
                    ? anonymous.get(call[1])
                    : call[0].equals("POST") ? anonymous.post(call[1], "{}") : anonymous.delete(call[1]);
            if (r.status() != 401
                    || !r.contentType().startsWith("application/problem+json")
                    || !r.json().get("detail").asString().contains("POST /api/v1/auth/token")) {
                open.add(call[0] + " " + call[1] + " -> " + r.status() + " " + r.body());
            }
        }
        assertThat(open).isEmpty();
        assertThat(count("servers")).isEqualTo(1);
    }

    @Test
    void signInGivesABearerTokenAndWrongPasswordsAreRefusedAndAudited() {
        Api anonymous = Api.anonymous(port);
        Api.Response wrong = anonymous.post(
                "/api/v1/auth/token",
                "{\"username\": \"" + Api.TEST_ADMIN_USERNAME + "\", \"password\": \"not-the-password-1\"}");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.contentType()).startsWith("application/problem+json");
        assertThat(wrong.json().get("detail").asString()).contains("wrong username or password");
        Api.Response unknown =
                anonymous.post("/api/v1/auth/token", "{\"username\": \"nobody\", \"password\": \"whatever-password\"}");
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.json().get("detail").asString())
                .isEqualTo(wrong.json().get("detail").asString());

        Api.Response ok = anonymous.post(
                "/api/v1/auth/token",
                "{\"username\": \"" + Api.TEST_ADMIN_USERNAME + "\", \"password\": \"" + Api.TEST_ADMIN_PASSWORD
                        + "\"}");
        assertThat(ok.status()).isEqualTo(200);
        JsonNode token = ok.json();
        assertThat(token.get("token_type").asString()).isEqualTo("Bearer");
        assertThat(token.get("expires_in").asLong()).isEqualTo(3600);
        assertThat(token.get("access_token").asString()).startsWith("ey");
        JsonNode me = Api.as(port, token.get("access_token").asString())
                .get("/api/v1/auth/me")
                .json();
        assertThat(me.get("name").asString()).isEqualTo(Api.TEST_ADMIN_USERNAME);
        assertThat(me.get("role").asString()).isEqualTo("admin");

        JsonNode failures =
                admin.get("/api/v1/audit?action=auth.sign_in&size=10").json().get("items");
        assertThat(failures.findValuesAsString("outcome")).contains("failure", "success");
        assertThat(failures.findValuesAsString("actor")).contains("nobody", Api.TEST_ADMIN_USERNAME);
        assertThat(failures.toString()).doesNotContain("not-the-password-1", "whatever-password");
    }

    @Test
    void aViewerReadsAndChangesNothing() {
        Api viewer = user("vera", "viewer");
        assertThat(viewer.get("/api/v1/group-ai/servers").status()).isEqualTo(200);
        assertThat(viewer.get("/api/v1/group-ai/servers/role-node/status").status())
                .isEqualTo(200);
        assertThat(viewer.get("/api/v1/group-ai/accounts").status()).isEqualTo(200);
        assertThat(viewer.get("/api/v1/group-ai/account-allocation/summary").status())
                .isEqualTo(200);
        assertThat(viewer.get("/api/v1/group-ai/workflows").status()).isEqualTo(200);

        assertRefused(viewer, "POST", "/api/v1/group-ai/accounts", "{\"account_id\": \"639000000101\"}", "operator");
        assertRefused(viewer, "POST", "/api/v1/group-ai/account-allocation/auto", "{}", "operator");
        assertRefused(viewer, "POST", "/api/v1/group-ai/accounts/rebalance", "{}", "operator");
        assertRefused(viewer, "POST", "/api/v1/group-ai/servers/role-node/actions/restart", "", "operator");
        assertRefused(viewer, "POST", "/api/v1/group-ai/servers/role-node/bootstrap", "", "operator");
        assertRefused(viewer, "POST", "/api/v1/group-ai/servers", SERVER, "admin");
        assertRefused(viewer, "GET", "/api/v1/audit", null, "admin");
        assertRefused(viewer, "GET", "/api/v1/auth/users", null, "admin");
        assertThat(count("accounts")).isZero();
    }

    @Test
    void anOperatorAllocatesDeploysAndRunsServerOperationsButDoesNotEditTheRegistry() {
        Api operator = user("otto", "operator");
        assertThat(operator.post("/api/v1/group-ai/accounts", "{\"account_id\": \"639000000102\"}")
                        .status())
                .isEqualTo(201);
        // Past authorization: the controllers answer (404 for a server that does not exist, 400 for a bad body).
        assertThat(operator.post("/api/v1/group-ai/servers/no-such-node/actions/restart", "")
                        .status())
                .isEqualTo(404);
        assertThat(operator.post("/api/v1/group-ai/servers/no-such-node/bootstrap", "")
                        .status())
                .isEqualTo(404);
        assertThat(operator.post("/api/v1/group-ai/servers/role-node/commands", "{\"action\": \"nothing\"}")
                        .status())
                .isEqualTo(400);
        assertThat(operator.post("/api/v1/group-ai/account-allocation/batch", "{\"allocations\": 1}")
                        .status())
                .isEqualTo(400);
        assertThat(operator.post("/api/v1/group-ai/accounts/rebalance", "{\"account_id\": \"nope\"}")
                        .status())
                .isIn(400, 404);
        assertThat(operator.put("/api/v1/group-ai/accounts/639000000102/session", new byte[] {1}, "application/zip")
                        .status())
                .isEqualTo(400);

        assertRefused(operator, "POST", "/api/v1/group-ai/servers", SERVER.replace("role-node", "other"), "admin");
        assertRefused(operator, "PUT", "/api/v1/group-ai/servers/role-node", SERVER, "admin");
        assertRefused(operator, "DELETE", "/api/v1/group-ai/servers/role-node", null, "admin");
        assertRefused(operator, "DELETE", "/api/v1/group-ai/servers/role-node/host-key", null, "admin");
        assertRefused(operator, "POST", "/api/v1/group-ai/servers/import", "{}", "admin");
        assertRefused(operator, "POST", "/api/v1/group-ai/servers/role-node/node-token/rotate", "{}", "admin");
        assertRefused(operator, "POST", "/api/v1/auth/users", "{}", "admin");
        assertRefused(operator, "POST", "/api/v1/auth/api-tokens", "{}", "admin");
        assertRefused(operator, "GET", "/api/v1/audit", null, "admin");
        assertRefused(operator, "GET", "/api/v1/group-ai/router/keys", null, "admin");
        assertRefused(operator, "POST", "/api/v1/group-ai/router/keys", "{}", "admin");
        assertThat(count("servers")).isEqualTo(1);

        JsonNode audit = admin.get("/api/v1/audit?actor=otto").json();
        assertThat(audit.get("items").findValuesAsString("action"))
                .contains("account.create", "server.restart", "deployment.bootstrap", "access.denied");
        assertThat(admin.get("/api/v1/audit?actor=otto&action=server")
                        .json()
                        .get("items")
                        .findValuesAsString("action"))
                .containsOnly("server.restart");
    }

    @Test
    void anAdminManagesServersUsersAndApiTokens() {
        assertThat(admin.put(
                                "/api/v1/group-ai/servers/role-node",
                                SERVER.replace("\"max_accounts\": 5", "\"max_accounts\": 6"))
                        .status())
                .isEqualTo(200);
        assertThat(admin.delete("/api/v1/group-ai/servers/role-node/host-key").status())
                .isEqualTo(204);

        Api.Response created = admin.post(
                "/api/v1/auth/api-tokens",
                "{\"name\": \"deploy script\", \"role\": \"operator\", \"expires_in_days\": 30}");
        assertThat(created.status()).isEqualTo(201);
        String secret = created.json().get("token").asString();
        assertThat(secret).startsWith("gaf_");
        long id = created.json().get("id").asLong();
        Api script = Api.as(port, secret);
        assertThat(script.post("/api/v1/group-ai/accounts", "{\"account_id\": \"639000000103\"}")
                        .status())
                .isEqualTo(201);
        assertRefused(script, "DELETE", "/api/v1/group-ai/servers/role-node", null, "admin");
        Api.Response listed = admin.get("/api/v1/auth/api-tokens");
        assertThat(listed.body()).doesNotContain(secret).contains("deploy script");
        assertThat(jdbc.sql("SELECT token_hash FROM api_tokens")
                        .query(String.class)
                        .single())
                .doesNotContain(secret)
                .hasSize(64);
        assertThat(admin.delete("/api/v1/auth/api-tokens/" + id).status()).isEqualTo(204);
        Api.Response revoked = script.get("/api/v1/group-ai/servers");
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(revoked.json().get("detail").asString()).contains("revoked");

        // A demotion or a disable takes effect on tokens already issued.
        Api paula = user("paula", "admin");
        assertThat(paula.get("/api/v1/audit").status()).isEqualTo(200);
        assertThat(admin.put("/api/v1/auth/users/paula", "{\"role\": \"viewer\"}")
                        .status())
                .isEqualTo(200);
        assertRefused(paula, "GET", "/api/v1/audit", null, "admin");
        assertThat(admin.put("/api/v1/auth/users/paula", "{\"enabled\": false}").status())
                .isEqualTo(200);
        assertThat(paula.get("/api/v1/group-ai/servers").status()).isEqualTo(401);
        assertThat(admin.get("/api/v1/auth/users").body())
                .doesNotContain("$2a$")
                .contains("paula");

        // The last enabled admin stays.
        assertThat(admin.put("/api/v1/auth/users/" + Api.TEST_ADMIN_USERNAME, "{\"role\": \"operator\"}")
                        .status())
                .isEqualTo(409);
        assertThat(admin.delete("/api/v1/auth/users/" + Api.TEST_ADMIN_USERNAME).status())
                .isEqualTo(409);

        JsonNode audit = admin.get("/api/v1/audit?actor=" + Api.TEST_ADMIN_USERNAME + "&size=100")
                .json()
                .get("items");
        assertThat(audit.findValuesAsString("action"))
                .contains(
                        "registry.server.create",
                        "registry.server.update",
                        "registry.host_key.delete",
                        "api_token.create",
                        "api_token.revoke",
                        "user.create",
                        "user.update");
        assertThat(audit.toString()).doesNotContain(secret, "pw-role-node");
    }

    @Test
    void scriptsReconciliationAndTelegramUserIdsNeedTheOperatorRoleButADryRunOnlyAViewer() {
        Api viewer = user("vick", "viewer");
        assertRefused(viewer, "POST", "/api/v1/group-ai/scripts", "{\"yaml\": \"script_id: x\"}", "operator");
        assertRefused(viewer, "PUT", "/api/v1/group-ai/scripts/x", "{\"yaml\": \"script_id: x\"}", "operator");
        assertRefused(viewer, "DELETE", "/api/v1/group-ai/scripts/x", null, "operator");
        assertRefused(viewer, "POST", "/api/v1/group-ai/scripts/deploy", "{}", "operator");
        assertRefused(viewer, "POST", "/api/v1/group-ai/reconciliation", "", "operator");
        assertRefused(
                viewer,
                "PUT",
                "/api/v1/group-ai/accounts/639000000103/telegram-user",
                "{\"telegram_user_id\": 7}",
                "operator");
        // A dry run changes nothing: a viewer gets past authorization (404: no such script).
        assertThat(viewer.post("/api/v1/group-ai/scripts/no-such-script/dry-run", "{\"event\": {}}")
                        .status())
                .isEqualTo(404);

        Api operator = user("olga", "operator");
        // Past authorization: the controllers' own 400 / 404, and nothing started or stored.
        assertThat(operator.post("/api/v1/group-ai/scripts", "{}").status()).isEqualTo(400);
        assertThat(operator.put("/api/v1/group-ai/scripts/x", "{}").status()).isEqualTo(400);
        assertThat(operator.delete("/api/v1/group-ai/scripts/no-such-script").status())
                .isEqualTo(404);
        assertThat(operator.post("/api/v1/group-ai/scripts/deploy", "{}").status())
                .isEqualTo(400);
        assertThat(operator.post("/api/v1/group-ai/scripts/no-such-script/dry-run", "{\"event\": {}}")
                        .status())
                .isEqualTo(404);
        assertThat(operator.post("/api/v1/group-ai/reconciliation?history_limit=-1", "")
                        .status())
                .isEqualTo(400);
        assertThat(operator.put("/api/v1/group-ai/accounts/639000000103/telegram-user", "{}")
                        .status())
                .isEqualTo(400);

        assertThat(admin.get("/api/v1/audit?actor=olga&size=50")
                        .json()
                        .get("items")
                        .findValuesAsString("action"))
                .contains(
                        "script.create",
                        "script.update",
                        "script.delete",
                        "deployment.script",
                        "script.dry_run",
                        "reconcile.run",
                        "account.telegram_user.update");
        assertThat(admin.get("/api/v1/audit?actor=vick&action=access.denied&size=50")
                        .json()
                        .get("items"))
                .hasSize(6);
    }

    @Test
    void aRebalanceNeedsTheOperatorRoleAndItsDryRunAsAReadOnlyAViewer() {
        Api viewer = user("rita", "viewer");
        // Roles follow method and path, never the body: a POST is a change even when it asks for a dry run.
        assertRefused(viewer, "POST", "/api/v1/group-ai/rebalance", "{\"dry_run\": true}", "operator");
        assertRefused(viewer, "POST", "/api/v1/group-ai/rebalance", "{\"dry_run\": false}", "operator");
        Api.Response read = viewer.get("/api/v1/group-ai/rebalance/plan");
        assertThat(read.status()).as(read.body()).isEqualTo(200);
        assertThat(read.json().get("dry_run").asBoolean()).isTrue();
        assertThat(viewer.get("/api/v1/group-ai/rebalance/rebalance-now").status())
                .as("past authorization: no such run")
                .isIn(200, 404);

        Api operator = user("otto", "operator");
        Api.Response dry = operator.post("/api/v1/group-ai/rebalance", "{\"dry_run\": true}");
        assertThat(dry.status()).as(dry.body()).isEqualTo(200);
        assertThat(operator.post("/api/v1/group-ai/rebalance", "{}").status()).isEqualTo(400);
        assertThat(admin.get("/api/v1/audit?actor=otto&size=50")
                        .json()
                        .get("items")
                        .findValuesAsString("action"))
                .contains("rebalance.run");
    }

    @Test
    void aViewerListsSessionBackupsAnOperatorRunsAndRestoresThem() {
        assertThat(admin.post("/api/v1/group-ai/accounts", "{\"account_id\": \"639000000104\"}")
                        .status())
                .isEqualTo(201);
        Api viewer = user("vilma", "viewer");
        assertThat(viewer.get("/api/v1/group-ai/accounts/639000000104/backups").status())
                .isEqualTo(200);
        assertRefused(viewer, "POST", "/api/v1/group-ai/session-backups/run", "{}", "operator");
        assertRefused(
                viewer,
                "POST",
                "/api/v1/group-ai/accounts/639000000104/backups/20261202T061500123Z-1a2b3c/restore",
                "",
                "operator");

        Api operator = user("oscar", "operator");
        // Past authorization: the controller's own 400 / 404, and nothing started.
        assertThat(operator.post("/api/v1/group-ai/session-backups/run", "{\"keep\": 0}")
                        .status())
                .isEqualTo(400);
        assertThat(operator.post(
                                "/api/v1/group-ai/accounts/639000000104/backups/20261202T061500123Z-1a2b3c/restore", "")
                        .status())
                .isEqualTo(404);
        assertThat(admin.get("/api/v1/audit?actor=oscar&size=50")
                        .json()
                        .get("items")
                        .findValuesAsString("action"))
                .contains("session.backup.run", "session.backup.restore");
    }

    @Test
    void nodeCallsStillNeedTheNodeTokenNotAnOperatorToken() {
        Api.Response withAdminToken =
                admin.post("/api/v1/workers/heartbeat", "{\"node_id\": \"role-node\", \"accounts\": []}");
        assertThat(withAdminToken.status()).isEqualTo(401);
        assertThat(withAdminToken.json().get("detail").asString()).contains("node token");
    }

    private Api user(String name, String role) {
        String password = name + "-password-123";
        Api.Response created = admin.post(
                "/api/v1/auth/users",
                "{\"username\": \"" + name + "\", \"password\": \"" + password + "\", \"role\": \"" + role + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return Api.as(port, Api.token(port, name, password));
    }

    private static void assertRefused(Api api, String method, String path, String body, String needed) {
        Api.Response r = switch (method) {
            case "GET" -> api.get(path);
            case "POST" -> api.post(path, body);
            case "PUT" -> api.put(path, body);
            default -> api.delete(path);
        };
        assertThat(r.status()).as(method + " " + path + ": " + r.body()).isEqualTo(403);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asString()).contains("needs the " + needed + " role");
    }

    private long count(String table) {
        return jdbc.sql("SELECT COUNT(*) FROM " + table).query(Long.class).single();
    }
}
