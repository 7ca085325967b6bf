package io.groupai.fleet.app.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.sessionformat.Sha256;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
class ScriptApiTest {

    static final String WELCOME_ID = "000新人欢迎剧本";
    static final String WELCOME_PATH =
            "/api/v1/group-ai/scripts/000%E6%96%B0%E4%BA%BA%E6%AC%A2%E8%BF%8E%E5%89%A7%E6%9C%AC";

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

    static byte[] welcome() throws Exception {
        return Files.readAllBytes(Path.of("../examples/welcome-script.yaml"));
    }

    @Test
    void rawYamlIsStoredVersionedAndDownloadedByteForByte() throws Exception {
        byte[] yaml = welcome();
        Api.Response created = api.post("/api/v1/group-ai/scripts", yaml, "application/yaml");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode view = created.json();
        assertThat(view.get("script_id").asString()).isEqualTo(WELCOME_ID);
        assertThat(view.get("version").asString()).isEqualTo("1.0");
        assertThat(view.get("scenes").asInt()).isEqualTo(2);
        assertThat(view.get("sha256").asString()).isEqualTo(Sha256.hex(yaml));
        assertThat(view.get("download_url").asString()).isEqualTo(WELCOME_PATH + "/download?version=1.0");

        // Nodes download with their node token (the deployment gives them this URL); nothing else opens it.
        String nodeToken = "dl-node-token-0123456789abcdef";
        Api.Response server = api.post("/api/v1/group-ai/servers", """
                {"node_id": "dl-node", "host": "127.0.0.1", "user": "fleet", "deploy_dir": "/srv/dl",
                 "max_accounts": 3, "node_token": "%s"}""".formatted(nodeToken));
        assertThat(server.status()).as(server.body()).isEqualTo(201);
        HttpResponse<byte[]> download = get(view.get("download_url").asString(), nodeToken);
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(yaml);
        assertThat(download.headers().firstValue("Content-Type"))
                .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/yaml"));
        assertThat(download.headers().firstValue("X-Script-Sha256")).contains(Sha256.hex(yaml));

        assertThat(get(view.get("download_url").asString(), null).statusCode()).isEqualTo(401);
        assertThat(get(view.get("download_url").asString(), "not-a-node-token-0123456789")
                        .statusCode())
                .isEqualTo(401);
        assertThat(get("/api/v1/group-ai/scripts", nodeToken).statusCode())
                .as("a node token opens the download only")
                .isEqualTo(401);
        assertThat(get(WELCOME_PATH, nodeToken).statusCode()).isEqualTo(401);
        assertThat(api.get(view.get("download_url").asString()).status())
                .as("operators (viewer and up) still download")
                .isEqualTo(200);

        // The same version again is a no-op; other content under the same version is refused.
        assertThat(api.post("/api/v1/group-ai/scripts", yaml, "application/yaml")
                        .status())
                .isEqualTo(200);
        String changed = new String(yaml, StandardCharsets.UTF_8).replace("群规请看置顶消息", "群规见置顶");
        Api.Response conflict =
                api.post("/api/v1/group-ai/scripts", changed.getBytes(StandardCharsets.UTF_8), "application/yaml");
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.json().get("detail").asString()).contains("immutable");

        // A new version through JSON; the latest is what GET and download answer without ?version=.
        String v2 = changed.replace("version: \"1.0\"", "version: \"1.1\"");
        Api.Response json = api.post(
                "/api/v1/group-ai/scripts", "{\"script_id\": \"" + WELCOME_ID + "\", \"yaml\": " + quote(v2) + "}");
        assertThat(json.status()).as(json.body()).isEqualTo(201);
        JsonNode latest = api.get(WELCOME_PATH).json();
        assertThat(latest.get("version").asString()).isEqualTo("1.1");
        assertThat(latest.get("versions")).extracting(JsonNode::asString).containsExactly("1.1", "1.0");
        assertThat(api.get(WELCOME_PATH + "/download").body()).contains("群规见置顶");
        assertThat(api.get(WELCOME_PATH + "/download?version=1.0").body()).contains("群规请看置顶消息");
        assertThat(api.get("/api/v1/group-ai/scripts").json()).hasSize(1);

        assertThat(api.delete(WELCOME_PATH + "?version=1.1").status()).isEqualTo(204);
        assertThat(api.get(WELCOME_PATH).json().get("version").asString()).isEqualTo("1.0");
        assertThat(api.delete(WELCOME_PATH).status()).isEqualTo(204);
        Api.Response gone = api.get(WELCOME_PATH + "/download");
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.contentType()).startsWith("application/problem+json");
    }

    @Test
    void invalidScriptsAreRejectedNamingLineAndColumnAndNothingIsStored() {
        Api.Response unknown =
                api.post("/api/v1/group-ai/scripts", """
                script_id: s
                version: "1"
                scenes:
                  - id: a
                    triggers: [{type: keyword, keywords: [hi]}, {type: telepathy}]
                    responses: ["hi {{frist_name}}"]
                """.getBytes(StandardCharsets.UTF_8), "application/yaml");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        JsonNode errors = unknown.json().get("errors");
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0).get("line").asInt()).isEqualTo(5);
        assertThat(errors.get(0).get("column").asInt()).isEqualTo(56);
        assertThat(errors.get(0).get("message").asString()).contains("telepathy");
        assertThat(errors.get(1).get("line").asInt()).isEqualTo(6);
        assertThat(errors.get(1).get("message").asString()).contains("{{frist_name}}");
        assertThat(unknown.json().get("detail").asString()).contains("line 5, column 56");

        StringBuilder bomb = new StringBuilder("a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n");
        for (char c = 'b'; c <= 'i'; c++) {
            bomb.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                bomb.append(i == 0 ? "" : ",").append('*').append((char) (c - 1));
            }
            bomb.append("]\n");
        }
        Api.Response laughs = api.post(
                "/api/v1/group-ai/scripts", bomb.toString().getBytes(StandardCharsets.UTF_8), "application/yaml");
        assertThat(laughs.status()).isEqualTo(400);
        assertThat(laughs.body()).contains("aliases");

        Api.Response catastrophic = api.post(
                "/api/v1/group-ai/scripts",
                "{\"yaml\": "
                        + quote("script_id: s\nversion: \"1\"\nscenes:\n  - id: a\n    triggers: [{type: regex,"
                                + " pattern: \"(a+)+$\"}]\n    responses: [x]\n")
                        + "}");
        assertThat(catastrophic.status()).isEqualTo(400);
        assertThat(catastrophic.json().get("errors").get(0).get("line").asInt()).isEqualTo(5);
        assertThat(catastrophic.body()).contains("catastrophically");

        byte[] huge = ("script_id: s\nversion: \"1\"\ndescription: \"" + "x".repeat(2 * 1024 * 1024) + "\"\n")
                .getBytes(StandardCharsets.UTF_8);
        // Past the 1 MiB body limit: refused before it is read whole (10 MB scripts: ScriptParserTest).
        Api.Response tooLarge = api.post("/api/v1/group-ai/scripts", huge, "application/yaml");
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.contentType()).startsWith("application/problem+json");

        Api.Response mismatch = api.post(
                "/api/v1/group-ai/scripts",
                "{\"script_id\": \"other\", \"yaml\": "
                        + quote("script_id: s\nversion: \"1\"\nscenes: [{id: a,"
                                + " triggers: [{type: new_member}], responses: [x]}]\n")
                        + "}");
        assertThat(mismatch.status()).isEqualTo(400);
        assertThat(mismatch.body()).contains("'s' is not 'other'");

        assertThat(jdbc.sql("SELECT COUNT(*) FROM scripts").query(Long.class).single())
                .isZero();
    }

    @Test
    void validateParsesAsAnUploadWouldNamesLinesAndStoresNothingAndAViewerMayCallIt() throws Exception {
        String broken = """
                script_id: s
                version: "1"
                scenes:
                  - id: a
                    triggers: [{type: keyword, keywords: [hi]}, {type: telepathy}]
                    responses: ["hi {{frist_name}}"]
                """;
        Api.Response bad = api.post(
                "/api/v1/group-ai/scripts/validate", broken.getBytes(StandardCharsets.UTF_8), "application/yaml");
        assertThat(bad.status()).as(bad.body()).isEqualTo(200);
        assertThat(bad.json().get("valid").asBoolean()).isFalse();
        JsonNode errors = bad.json().get("errors");
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0).get("line").asInt()).isEqualTo(5);
        assertThat(errors.get(0).get("column").asInt()).isEqualTo(56);
        assertThat(errors.get(0).get("message").asString()).contains("telepathy");
        assertThat(errors.get(1).get("line").asInt()).isEqualTo(6);

        Api.Response yamlSyntax = api.post(
                "/api/v1/group-ai/scripts/validate", "{\"yaml\": " + quote("script_id: s\nversion: [\n") + "}");
        assertThat(yamlSyntax.json().get("valid").asBoolean()).isFalse();
        assertThat(yamlSyntax.json().get("errors").get(0).get("line").asInt()).isPositive();
        assertThat(api.post("/api/v1/group-ai/scripts/validate", "{\"yaml\": \"\"}")
                        .json()
                        .get("valid")
                        .asBoolean())
                .isFalse();

        String yaml = new String(welcome(), StandardCharsets.UTF_8);
        Api.Response good = api.post("/api/v1/group-ai/scripts/validate", "{\"yaml\": " + quote(yaml) + "}");
        assertThat(good.status()).as(good.body()).isEqualTo(200);
        assertThat(good.json().get("valid").asBoolean()).isTrue();
        assertThat(good.json().get("script_id").asString()).isEqualTo(WELCOME_ID);
        assertThat(good.json().get("scenes").asInt()).isEqualTo(2);
        assertThat(good.json().get("stored").asString()).isEqualTo("new");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM scripts").query(Long.class).single())
                .as("validation stores nothing")
                .isZero();

        assertThat(api.post("/api/v1/group-ai/scripts", welcome(), "application/yaml")
                        .status())
                .isEqualTo(201);
        assertThat(api.post("/api/v1/group-ai/scripts/validate", "{\"yaml\": " + quote(yaml) + "}")
                        .json()
                        .get("stored")
                        .asString())
                .isEqualTo("same");
        JsonNode conflict = api.post(
                        "/api/v1/group-ai/scripts/validate",
                        "{\"yaml\": " + quote(yaml.replace("群规请看置顶消息", "群规见置顶")) + "}")
                .json();
        assertThat(conflict.get("stored").asString()).isEqualTo("conflict");
        assertThat(conflict.get("note").asString()).contains("new version");

        // A viewer may validate (it changes nothing) but not save.
        String viewerName = "script-viewer-" + System.nanoTime();
        assertThat(api.post(
                                "/api/v1/auth/users",
                                "{\"username\": \"" + viewerName
                                        + "\", \"password\": \"viewer-password-123\", \"role\": \"viewer\"}")
                        .status())
                .isEqualTo(201);
        Api viewer = Api.as(port, Api.token(port, viewerName, "viewer-password-123"));
        assertThat(viewer.post(
                                "/api/v1/group-ai/scripts/validate",
                                broken.getBytes(StandardCharsets.UTF_8),
                                "application/yaml")
                        .json()
                        .get("valid")
                        .asBoolean())
                .isFalse();
        assertThat(viewer.post("/api/v1/group-ai/scripts", broken.getBytes(StandardCharsets.UTF_8), "application/yaml")
                        .status())
                .isEqualTo(403);
        assertThat(api.delete("/api/v1/auth/users/" + viewerName).status()).isIn(200, 204);
    }

    @Test
    void dryRunShowsTheSceneThatFiresAndWhatWouldBeSent() throws Exception {
        assertThat(api.post("/api/v1/group-ai/scripts", welcome(), "application/yaml")
                        .status())
                .isEqualTo(201);
        Api.Response joined = api.post(WELCOME_PATH + "/dry-run", """
                {"event": {"type": "new_member", "first_name": "Ana", "chat_title": "Lobby"}}""");
        assertThat(joined.status()).as(joined.body()).isEqualTo(200);
        JsonNode d = joined.json();
        assertThat(d.get("fired").asBoolean()).isTrue();
        assertThat(d.get("scene").asString()).isEqualTo("greeting");
        assertThat(d.get("action").asString()).isEqualTo("send");
        assertThat(d.get("text").asString())
                .isIn("欢迎 Ana 加入 Lobby！有问题随时问 😊", "Welcome, Ana! Glad to have you in Lobby.");
        assertThat(d.get("next_scene").asString()).isEqualTo("conversation");

        JsonNode rules = api.post(WELCOME_PATH + "/dry-run", """
                {"event": {"type": "message", "text": "where are the rules?", "first_name": "Bo"},
                 "state": {"scene": "conversation"}}""").json();
        assertThat(rules.get("scene").asString()).isEqualTo("conversation");
        assertThat(rules.get("text").asString()).isEqualTo("群规请看置顶消息，谢谢配合。");

        JsonNode nothing = api.post(WELCOME_PATH + "/dry-run", """
                {"event": {"type": "message", "text": "thistle", "first_name": "Bo"}}""").json();
        assertThat(nothing.get("fired").asBoolean()).isFalse();

        Api.Response badScene = api.post(WELCOME_PATH + "/dry-run", """
                {"event": {"type": "message", "text": "hi"}, "state": {"scene": "nope"}}""");
        assertThat(badScene.status()).isEqualTo(400);
        assertThat(badScene.body()).contains("no scene 'nope'");
        Api.Response badType = api.post(WELCOME_PATH + "/dry-run", "{\"event\": {\"type\": \"typing\"}}");
        assertThat(badType.status()).isEqualTo(400);
    }

    @Test
    void deployToNodesWithoutAnAgentQueuesTheSeedsUpdateScriptWithDownloadUrlAndSha256() throws Exception {
        for (String node : new String[] {"dep-a", "dep-b"}) {
            Api.Response created = api.post("/api/v1/group-ai/servers", """
                    {"node_id": "%s", "host": "127.0.0.1", "user": "fleet", "deploy_dir": "/srv/%s",
                     "max_accounts": 3, "node_token": "%s-token-0123456789abcdef"}""".formatted(node, node, node));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
        }
        byte[] yaml = welcome();
        assertThat(api.post("/api/v1/group-ai/scripts", yaml, "application/yaml")
                        .status())
                .isEqualTo(201);

        Api.Response unknownNode = api.post("/api/v1/group-ai/scripts/deploy", """
                {"script_id": "%s", "node_ids": ["dep-a", "nowhere"]}""".formatted(WELCOME_ID));
        assertThat(unknownNode.status()).isEqualTo(404);
        assertThat(unknownNode.body()).contains("nowhere");
        Api.Response noScript = api.post("/api/v1/group-ai/scripts/deploy", """
                {"script_id": "missing", "node_ids": ["dep-a"]}""");
        assertThat(noScript.status()).isEqualTo(404);

        Api.Response deployed = api.post("/api/v1/group-ai/scripts/deploy?wait_seconds=60", """
                {"script_id": "%s", "node_ids": ["dep-a", "dep-b"], "schedule_to_start_seconds": 1}""".formatted(WELCOME_ID));
        assertThat(deployed.status()).as(deployed.body()).isEqualTo(200);
        JsonNode result = deployed.json().get("result");
        assertThat(result.get("ok").asBoolean()).isTrue();
        assertThat(result.get("nodes"))
                .hasSize(2)
                .allSatisfy(n -> assertThat(n.get("status").asString()).isEqualTo("QUEUED"));
        String workflowId = deployed.json().get("workflow_id").asString();
        JsonNode status = api.get("/api/v1/group-ai/workflows/" + workflowId).json();
        assertThat(status.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(status.get("progress")).hasSize(2);

        JsonNode commands = api.get("/api/v1/group-ai/servers/dep-b/commands").json();
        assertThat(commands).singleElement().satisfies(c -> {
            assertThat(c.get("action").asString()).isEqualTo("update_script");
            JsonNode params = c.get("params");
            assertThat(params.get("script_id").asString()).isEqualTo(WELCOME_ID);
            assertThat(params.get("version").asString()).isEqualTo("1.0");
            assertThat(params.get("sha256").asString()).isEqualTo(Sha256.hex(yaml));
            assertThat(params.get("download_url").asString())
                    .isEqualTo("http://127.0.0.1:" + port + WELCOME_PATH + "/download?version=1.0");
        });
        // What an agent does with the command: fetch the URL with its own node token and check the sha256.
        HttpResponse<byte[]> fetched = get(WELCOME_PATH + "/download?version=1.0", "dep-b-token-0123456789abcdef");
        assertThat(fetched.statusCode()).isEqualTo(200);
        assertThat(Sha256.hex(fetched.body())).isEqualTo(Sha256.hex(yaml));
    }

    private HttpResponse<byte[]> get(String path, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String quote(String s) {
        return tools.jackson.databind.json.JsonMapper.builder().build().writeValueAsString(s);
    }
}
