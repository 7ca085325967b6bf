package io.groupai.fleet.app.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.app.allocation.InProcessNodeAgent;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.agent.SendMessageRequest;
import io.groupai.fleet.workflows.scripts.SceneResult;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.WorkerFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Multi-account scenes are asked for by nodes over HTTP with their node token (the Temporal gate
 * refuses a node that starts a workflow); the control plane plays the lines of its own copy of the
 * script.
 */
@FleetIntegrationTest
class SceneApiTest {

    private static final String TOKEN_A = "scene-a-token-0123456789abcdef";
    private static final String TOKEN_B = "scene-b-token-0123456789abcdef";
    private static final String HOST = "639100000001";
    private static final String GUEST = "639100000002";
    private static final String SCRIPT = """
            script_id: scene-show
            version: "1"
            roles: {host: ["%s"], guest: ["%s"]}
            scenes:
              - id: show
                triggers: [{type: keyword, keywords: [show]}]
                lines:
                  - {role: host, template: "Welcome to {{chat_title}}"}
                  - {role: guest, template: "Thanks!", delay_seconds: 1}
              - id: hello
                triggers: [{type: keyword, keywords: [hello]}]
                responses: [hi]
            """.formatted(HOST, GUEST);

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    WorkflowClient client;

    @TempDir
    Path dir;

    Api api;
    WorkerFactory workers;
    InProcessNodeAgent agentA;

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
        register("scene-a", TOKEN_A);
        register("scene-b", TOKEN_B);
        assertThat(api.post("/api/v1/group-ai/scripts", SCRIPT.getBytes(StandardCharsets.UTF_8), "application/yaml")
                        .status())
                .isEqualTo(201);
        for (String account : new String[] {HOST, GUEST}) {
            Api.Response created = api.post(
                    "/api/v1/group-ai/accounts",
                    "{\"account_id\": \"" + account + "\", \"script_id\": \"scene-show\"}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
        }
        jdbc.sql("UPDATE accounts SET server_id = 'scene-a'").update();
        workers = WorkerFactory.newInstance(client);
        agentA = new InProcessNodeAgent("scene-a", dir);
        workers.newWorker(TaskQueues.node("scene-a")).registerActivitiesImplementations(agentA);
        workers.start();
    }

    @AfterEach
    void tearDown() {
        if (workers != null) {
            workers.shutdownNow();
        }
    }

    @Test
    void aNodeTokenStartsTheSceneOnceAndTheControlPlanePlaysItsOwnLines() throws Exception {
        String body = """
                {"script_id": "scene-show", "version": "1", "scene_id": "show", "chat_id": -1001,
                 "event_key": "message:7:1700000000:abc", "values": {"chat_title": "Lobby"},
                 "lines": [{"role": "host", "text": "buy my coin"}]}""";
        Api.Response started = node(TOKEN_A).post("/api/v1/workers/scene-a/scenes", body);
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        String workflowId = started.json().get("workflow_id").asString();
        assertThat(workflowId).isEqualTo(WorkflowIds.scene(-1001, "message:7:1700000000:abc"));
        assertThat(started.json().get("started").asBoolean()).isTrue();

        // Another account of the fleet saw the same event: the same workflow, nothing new started.
        Api.Response again = node(TOKEN_A).post("/api/v1/workers/scene-a/scenes", body);
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().get("started").asBoolean()).isFalse();
        assertThat(again.json().get("workflow_id").asString()).isEqualTo(workflowId);

        SceneResult result =
                client.newUntypedWorkflowStub(workflowId).getResult(60, TimeUnit.SECONDS, SceneResult.class);
        assertThat(result.failure()).isNull();
        assertThat(result.said()).hasSize(2);
        assertThat(agentA.sent())
                .extracting(SendMessageRequest::accountId, SendMessageRequest::chatId, SendMessageRequest::text)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(HOST, -1001L, "Welcome to Lobby"),
                        org.assertj.core.groups.Tuple.tuple(GUEST, -1001L, "Thanks!"));

        // Even after the scene finished, the same event does not play it a second time.
        Api.Response late = node(TOKEN_A).post("/api/v1/workers/scene-a/scenes", body);
        assertThat(late.status()).as(late.body()).isEqualTo(200);
        assertThat(late.json().get("started").asBoolean()).isFalse();
    }

    @Test
    void otherNodesTokensNodesWithoutTheScriptAndUnknownScriptsOrScenesAreRefused() {
        String body = """
                {"script_id": "%s", "version": "1", "scene_id": "%s", "chat_id": -1002, "event_key": "k-%s"}""";
        Api.Response foreign =
                node(TOKEN_A).post("/api/v1/workers/scene-b/scenes", body.formatted("scene-show", "show", "1"));
        assertThat(foreign.status()).isEqualTo(401);
        assertThat(foreign.contentType()).startsWith("application/problem+json");
        Api.Response noToken =
                Api.anonymous(port).post("/api/v1/workers/scene-a/scenes", body.formatted("scene-show", "show", "2"));
        assertThat(noToken.status()).isEqualTo(401);

        Api.Response notItsScript =
                node(TOKEN_B).post("/api/v1/workers/scene-b/scenes", body.formatted("scene-show", "show", "3"));
        assertThat(notItsScript.status()).as(notItsScript.body()).isEqualTo(403);
        assertThat(notItsScript.contentType()).startsWith("application/problem+json");
        assertThat(notItsScript.json().get("detail").asString()).contains("scene-b", "scene-show");

        Api.Response unknownScript =
                node(TOKEN_A).post("/api/v1/workers/scene-a/scenes", body.formatted("no-such-script", "show", "4"));
        assertThat(unknownScript.status()).isEqualTo(404);
        assertThat(unknownScript.contentType()).startsWith("application/problem+json");
        Api.Response unknownScene =
                node(TOKEN_A).post("/api/v1/workers/scene-a/scenes", body.formatted("scene-show", "nope", "5"));
        assertThat(unknownScene.status()).isEqualTo(400);
        assertThat(unknownScene.contentType()).startsWith("application/problem+json");
        assertThat(unknownScene.body()).contains("nope");
        Api.Response singleAccountScene =
                node(TOKEN_A).post("/api/v1/workers/scene-a/scenes", body.formatted("scene-show", "hello", "6"));
        assertThat(singleAccountScene.status()).isEqualTo(400);
        Api.Response noEvent = node(TOKEN_A)
                .post(
                        "/api/v1/workers/scene-a/scenes",
                        "{\"script_id\": \"scene-show\", \"version\": \"1\", \"scene_id\": \"show\"}");
        assertThat(noEvent.status()).isEqualTo(400);
        assertThat(noEvent.body()).contains("chat_id", "event_key");

        JsonNode runs = api.get("/api/v1/group-ai/workflows").json();
        assertThat(runs.toString()).doesNotContain("scene--1002");
    }

    @Test
    void aRoleIsPlayedOnlyByAccountsAllowedInTheChat() {
        assertThat(api.put("/api/v1/group-ai/accounts/" + GUEST + "/groups", "{\"group_ids\": [-1009]}")
                        .status())
                .isEqualTo(200);
        Api.Response refused = node(TOKEN_A).post("/api/v1/workers/scene-a/scenes", """
                        {"script_id": "scene-show", "version": "1", "scene_id": "show", "chat_id": -1003,
                         "event_key": "message:9:1700000000:def", "values": {"chat_title": "Lobby"}}""");
        assertThat(refused.status()).as(refused.body()).isEqualTo(409);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("detail").asString()).contains("guest", "-1003");
        assertThat(api.get("/api/v1/group-ai/workflows").json().toString()).doesNotContain("scene--1003");

        // In the guest's own group the scene plays.
        Api.Response started = node(TOKEN_A).post("/api/v1/workers/scene-a/scenes", """
                        {"script_id": "scene-show", "version": "1", "scene_id": "show", "chat_id": -1009,
                         "event_key": "message:9:1700000001:def", "values": {"chat_title": "Lobby"}}""");
        assertThat(started.status()).as(started.body()).isEqualTo(201);
    }

    private Api node(String token) {
        return Api.as(port, token);
    }

    private void register(String nodeId, String token) {
        Api.Response created = api.post("/api/v1/group-ai/servers", """
                {"node_id": "%s", "host": "127.0.0.1", "user": "fleet", "deploy_dir": "/srv/%s", "max_accounts": 3,
                 "node_token": "%s"}""".formatted(nodeId, nodeId, token));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
    }
}
