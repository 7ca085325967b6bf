package io.groupai.fleet.app.servers;

import static org.assertj.core.api.Assertions.assertThat;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.KeyPair;
import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.registry.CredentialStore;
import io.groupai.fleet.registry.PlacementCounts;
import io.groupai.fleet.registry.SshSecret;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

@FleetIntegrationTest
class ServerRegistryApiTest {

    private static final String VALID = """
            {"node_id": "node-a", "host": "127.0.0.1", "port": 2222, "user": "ubuntu", "password": "pw-node-a-secret",
             "deploy_dir": "/srv/groupai", "max_accounts": 5, "location": "Manila"}""";

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    PlacementCounts counts;

    @Autowired
    MasterConfigImporter importer;

    @Autowired
    CredentialStore credentials;

    Api api;

    @BeforeEach
    void setUp() throws Exception {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
        Path keys = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "groupai-test", "keys"));
        writeRealPrivateKey(keys.resolve("test-key"));
    }

    @Test
    void importsTheSeedMasterConfigAndSummaryCountsFromTheDatabase() throws Exception {
        String config = Files.readString(
                Path.of(getClass().getResource("/examples/master_config.json").toURI()));

        // Over the API its ${VAR}s (not FLEET_SECRET_*, one in private_key_file) are refused, unresolved.
        Api.Response refused = api.post("/api/v1/group-ai/servers/import", config);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("errors").findValuesAsString("field"))
                .containsExactlyInAnyOrder(
                        "servers.worker-01.private_key_file",
                        "servers.los-angeles.password",
                        "servers.manila.password");
        assertThat(refused.body())
                .contains("LOS_ANGELES_SSH_PASSWORD", "FLEET_SECRET_")
                .doesNotContain("la-secret-password-123", "manila-secret-password-456", "groupai-test/keys");
        assertThat(countServers()).isZero();

        // As the start-up import (GROUPAI_MASTER_CONFIG) reads it: every variable resolves.
        assertThat(importer.importAtStartup(config)).hasSize(3);
        JsonNode summary =
                api.get("/api/v1/group-ai/account-allocation/summary").json();
        assertThat(summary.get("total_accounts").asInt()).isZero();
        assertThat(summary.get("servers").propertyNames())
                .containsExactlyInAnyOrder("worker-01", "los-angeles", "manila");
        assertThat(summary.get("servers").get("manila").get("max").asInt()).isEqualTo(5);
        assertThat(summary.get("servers").get("manila").get("available").asInt())
                .isEqualTo(5);

        // Counts come from the accounts table: place two accounts on manila directly in the database.
        for (String id : new String[] {"639457597211", "639679410504", "639641842001"}) {
            assertThat(api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"" + id + "\"}")
                            .status())
                    .isEqualTo(201);
        }
        jdbc.sql("UPDATE accounts SET server_id = 'manila' WHERE account_id IN ('639457597211', '639679410504')")
                .update();
        counts.recount(); // placement changed by hand, outside the transactions that keep the counts

        summary = api.get("/api/v1/group-ai/account-allocation/summary").json();
        assertThat(summary.get("total_accounts").asInt()).isEqualTo(3);
        assertThat(summary.get("allocated").asInt()).isEqualTo(2);
        assertThat(summary.get("unallocated").asInt()).isEqualTo(1);
        JsonNode manila = summary.get("servers").get("manila");
        assertThat(manila.get("current").asInt()).isEqualTo(2);
        assertThat(manila.get("available").asInt()).isEqualTo(3);
        assertThat(manila.get("usage_percent").asDouble()).isEqualTo(40.0);
        JsonNode status = api.get("/api/v1/group-ai/servers/manila/status").json();
        assertThat(status.get("accounts_count").asInt()).isEqualTo(2);
        // Not probed yet: only the account share counts, 0.3 x 2/5 x 100.
        assertThat(status.get("load_score").asDouble()).isEqualTo(12.0);
        assertThat(status.get("status").asString()).isEqualTo("unknown");

        // The allocation block is kept as fleet settings.
        assertThat(jdbc.sql("SELECT setting FROM fleet_settings WHERE name = 'allocation.default_strategy'")
                        .query(String.class)
                        .single())
                .isEqualTo("load_balance");
    }

    @Test
    void listsServersPagedAndFilteredOnTheDatabase() {
        String[][] fleet = {
            {"srv-1", "Manila", "active"},
            {"srv-2", "Manila", "draining"},
            {"srv-3", "LosAngeles", "active"},
            {"srv-4", "Manila", "active"},
            {"srv-5", "LosAngeles", "disabled"}
        };
        for (String[] s : fleet) {
            assertThat(api.post("/api/v1/group-ai/servers", """
                    {"node_id": "%s", "host": "127.0.0.1", "user": "ubuntu", "deploy_dir": "/srv/g", "max_accounts": 5,
                     "location": "%s", "status": "%s"}""".formatted(s[0], s[1], s[2]))
                            .status())
                    .isEqualTo(201);
        }
        api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"on-srv-4\"}");
        jdbc.sql("UPDATE accounts SET server_id = 'srv-4' WHERE account_id = 'on-srv-4'")
                .update();

        JsonNode all = api.get("/api/v1/group-ai/servers").json();
        assertThat(all.get("total").asInt()).isEqualTo(5);
        assertThat(all.get("size").asInt()).isEqualTo(100);
        assertThat(all.get("items").findValuesAsString("node_id"))
                .containsExactly("srv-1", "srv-2", "srv-3", "srv-4", "srv-5");

        JsonNode manilaActive = api.get("/api/v1/group-ai/servers?location=Manila&status=active&page=1&size=1")
                .json();
        assertThat(manilaActive.get("total").asInt()).isEqualTo(2);
        assertThat(manilaActive.get("items").findValuesAsString("node_id")).containsExactly("srv-4");
        assertThat(manilaActive.get("items").get(0).get("accounts_count").asInt())
                .isEqualTo(1);
        assertThat(api.get("/api/v1/group-ai/servers?health=unknown")
                        .json()
                        .get("total")
                        .asInt())
                .isEqualTo(5);
        assertThat(api.get("/api/v1/group-ai/servers?health=healthy").json().get("items"))
                .isEmpty();

        for (String[] bad : new String[][] {
            {"size=0", "size"},
            {"size=1001", "size"},
            {"page=-1", "page"},
            {"status=sleeping", "status"},
            {"health=great", "health"}
        }) {
            Api.Response response = api.get("/api/v1/group-ai/servers?" + bad[0]);
            assertThat(response.status()).as(bad[0]).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.json().get("errors").findValuesAsString("field"))
                    .as(bad[0])
                    .containsExactly(bad[1]);
        }
    }

    @Test
    void secretsAreStoredEncryptedAndNeverReturned() {
        api.post("/api/v1/group-ai/servers", VALID);

        for (String path : new String[] {
            "/api/v1/group-ai/servers", "/api/v1/group-ai/servers/node-a", "/api/v1/group-ai/servers/node-a/status"
        }) {
            Api.Response response = api.get(path);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).doesNotContain("pw-node-a-secret").doesNotContain("password\":");
        }
        JsonNode server = api.get("/api/v1/group-ai/servers/node-a").json();
        assertThat(server.get("credential").get("type").asString()).isEqualTo("password");
        assertThat(server.get("credential").get("configured").asBoolean()).isTrue();
        String stored = jdbc.sql("SELECT secret FROM server_credentials WHERE node_id = 'node-a'")
                .query(String.class)
                .single();
        assertThat(stored).doesNotContain("pw-node-a-secret");
    }

    @Test
    void aRestBodyMayTakeASecretFromAnAllowListedVariable() {
        Api.Response created = api.post(
                "/api/v1/group-ai/servers",
                VALID.replace("\"pw-node-a-secret\"", "\"${FLEET_SECRET_TEST_SSH_PASSWORD}\""));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.body()).doesNotContain("fleet-secret-password-789");
        assertThat(credentials.load("node-a"))
                .hasValueSatisfying(s -> assertThat(s).isEqualTo(new SshSecret.Password("fleet-secret-password-789")));
    }

    @Test
    void crudRoundTrip() {
        assertThat(api.post("/api/v1/group-ai/servers", VALID).status()).isEqualTo(201);
        Api.Response updated = api.put(
                "/api/v1/group-ai/servers/node-a",
                VALID.replace("\"max_accounts\": 5", "\"max_accounts\": 7")
                        .replace("\"password\": \"pw-node-a-secret\",", ""));
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().get("max_accounts").asInt()).isEqualTo(7);
        // Omitting the password on update keeps the stored one.
        assertThat(updated.json().get("credential").get("configured").asBoolean())
                .isTrue();
        assertThat(api.delete("/api/v1/group-ai/servers/node-a").status()).isEqualTo(204);
        assertThat(api.get("/api/v1/group-ai/servers/node-a").status()).isEqualTo(404);
    }

    @Test
    void invalidDefinitionsGetProblemJsonNamingTheFieldAndStoreNothing() {
        assertBadRequest(VALID.replace("\"host\": \"127.0.0.1\",", ""), "host", "host is required");
        assertBadRequest(VALID.replace("\"max_accounts\": 5", "\"max_accounts\": 0"), "max_accounts", "greater than 0");
        assertBadRequest(
                VALID.replace("\"max_accounts\": 5", "\"max_accounts\": \"many\""), "max_accounts", "whole number");
        assertBadRequest(VALID.replace("/srv/groupai", "srv/groupai"), "deploy_dir", "absolute path");
        assertBadRequest(VALID.replace("/srv/groupai", "/srv/groupai; rm -rf /"), "deploy_dir", "shell metacharacters");
        assertBadRequest(VALID.replace("/srv/groupai", "/srv/../etc"), "deploy_dir", "'..'");
        assertBadRequest(
                VALID.replace("\"pw-node-a-secret\"", "\"${FLEET_SECRET_TEST_UNSET_VARIABLE}\""),
                "password",
                "environment variable FLEET_SECRET_TEST_UNSET_VARIABLE is not set");
        assertBadRequest(
                VALID.replace("\"pw-node-a-secret\"", "\"${GROUPAI_TEST_UNSET_VARIABLE}\""),
                "password",
                "only variables starting with FLEET_SECRET_");

        Api.Response malformed = api.post("/api/v1/group-ai/servers", "{\"node_id\": \"x\", ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.contentType()).startsWith("application/problem+json");
        assertThat(malformed.json().get("detail").asString()).contains("not valid JSON");

        assertThat(countServers()).isZero();

        assertThat(api.post("/api/v1/group-ai/servers", VALID).status()).isEqualTo(201);
        assertBadRequest(VALID.replace("\"max_accounts\": 5", "\"max_accounts\": 9"), "node_id", "already exists");
        assertThat(api.get("/api/v1/group-ai/servers/node-a")
                        .json()
                        .get("max_accounts")
                        .asInt())
                .isEqualTo(5);
    }

    @Test
    void anImportIsAllOrNothing() {
        String config = """
                {"servers": {
                   "good-1": {"host": "10.0.0.1", "user": "ubuntu", "deploy_dir": "/opt/g", "max_accounts": 5},
                   "bad-2":  {"host": "10.0.0.2", "user": "ubuntu", "deploy_dir": "/opt/g", "max_accounts": -1},
                   "bad-3":  {"user": "ubuntu", "deploy_dir": "/opt/g", "max_accounts": 5, "password": "${NOPE_NOT_SET}"}
                }}""";

        Api.Response response = api.post("/api/v1/group-ai/servers/import", config);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("errors").findValuesAsString("field"))
                .contains("servers.bad-2.max_accounts", "servers.bad-3.password");
        assertThat(countServers()).isZero();

        Api.Response duplicateKeys = api.post("/api/v1/group-ai/servers/import", """
                {"servers": {"a-1": {"host": "h", "user": "u", "deploy_dir": "/d", "max_accounts": 1},
                             "a-1": {"host": "h", "user": "u", "deploy_dir": "/d", "max_accounts": 2}}}""");
        assertThat(duplicateKeys.status()).isEqualTo(400);
        assertThat(duplicateKeys.json().get("detail").asString()).contains("Duplicate", "a-1");
        assertThat(countServers()).isZero();
    }

    private void assertBadRequest(String body, String field, String messagePart) {
        Api.Response response = api.post("/api/v1/group-ai/servers", body);
        assertThat(response.status()).as(body).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        JsonNode errors = response.json().get("errors");
        assertThat(errors).as(response.body()).isNotNull();
        assertThat(errors.findValuesAsString("field")).contains(field);
        assertThat(response.json().get("detail").asString()).contains(messagePart);
    }

    private long countServers() {
        return jdbc.sql("SELECT COUNT(*) FROM servers").query(Long.class).single();
    }

    private static void writeRealPrivateKey(Path file) throws Exception {
        KeyPair pair = KeyPair.genKeyPair(new JSch(), KeyPair.ECDSA, 256);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        pair.writePrivateKey(out);
        Files.writeString(file, out.toString(StandardCharsets.US_ASCII));
    }
}
