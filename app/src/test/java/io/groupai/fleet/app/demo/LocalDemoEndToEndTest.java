package io.groupai.fleet.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.scripts.FleetDialogueDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The README's demo, end to end with real parts: three embedded SSH nodes are bootstrapped with
 * the real worker-node agent (separate JVMs started through their pid files), heartbeats arrive,
 * {@code auto} places the 8 demo accounts 3/3/2 and they run, and chat on the simulated network
 * shows up in the accounts' statistics in the database.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.datasource.url=jdbc:h2:mem:demo;MODE=MySQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
            "groupai.temporal.embedded.server=java-test-server",
            "groupai.temporal.embedded.port=0",
            "groupai.gate.port=0",
            "groupai.demo.enabled=true",
            "groupai.demo.dir=${java.io.tmpdir}/groupai-demo-test/nodes",
            "groupai.data-dir=${java.io.tmpdir}/groupai-demo-test",
            "groupai.sessions.dir=${java.io.tmpdir}/groupai-demo-test/sessions",
            "groupai.secrets.key=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            "groupai.nodes.heartbeat-interval=2s",
        })
class LocalDemoEndToEndTest {

    @LocalServerPort
    int port;

    @Autowired
    FleetDialogueDirectory directory;

    @BeforeAll
    static void distributionIsBuilt() {
        assertThat(LocalDemoEndToEndTest.class.getClassLoader().getResource("worker-node-dist/distribution.properties"))
                .as(
                        "the worker-node distribution embedded by the app's build; `./mvnw verify` builds it before the app's tests")
                .isNotNull();
    }

    @Test
    void demoNodesComeUpAndTheDemoAccountsArePlacedThreeThreeTwoAndRun() throws Exception {
        Api api = new Api(port);

        await("three bootstraps completed", Duration.ofMinutes(3), () -> {
            JsonNode runs = api.get("/api/v1/group-ai/workflows").json();
            return runs.findValuesAsString("status").stream()
                            .filter("COMPLETED"::equals)
                            .count()
                    == 3;
        });
        for (String node :
                LocalDemo.NODES.stream().map(LocalDemo.DemoNode::nodeId).toList()) {
            JsonNode bootstrap =
                    api.get("/api/v1/group-ai/workflows/bootstrap-" + node).json();
            assertThat(bootstrap.get("result").get("success").asBoolean())
                    .as(bootstrap.toString())
                    .isTrue();
            JsonNode status =
                    api.get("/api/v1/group-ai/servers/" + node + "/status").json();
            assertThat(status.get("status").asString()).isEqualTo("online");
            assertThat(status.get("process_alive").asBoolean()).isTrue();
            // Demo agents give up on their own once this app is gone (e.g. killed); real nodes do not get the key.
            Path conf = Path.of(
                    System.getProperty("java.io.tmpdir"),
                    "groupai-demo-test",
                    "nodes",
                    node,
                    "deploy",
                    "conf",
                    "worker-node.properties");
            assertThat(Files.readAllLines(conf)).contains("EXIT_AFTER_CONTROL_PLANE_LOST=180s");
        }
        await(
                "heartbeats from every node",
                Duration.ofSeconds(30),
                () -> LocalDemo.NODES.stream()
                        .allMatch(n -> !api.get("/api/v1/group-ai/servers/" + n.nodeId() + "/status")
                                .json()
                                .get("last_heartbeat")
                                .isNull()));

        JsonNode allocation = api.post(
                        "/api/v1/group-ai/account-allocation/auto?wait=true", "{\"strategy\": \"balanced\"}")
                .json();
        assertThat(allocation.get("planned").asInt()).as(allocation.toString()).isEqualTo(8);
        await(
                "all 8 demo accounts online",
                Duration.ofMinutes(2),
                () -> api.get("/api/v1/group-ai/accounts?status=online")
                                .json()
                                .get("total")
                                .asInt()
                        == 8);
        JsonNode summary =
                api.get("/api/v1/group-ai/account-allocation/summary").json();
        Map<String, Integer> counts = new HashMap<>();
        summary.get("servers")
                .properties()
                .forEach(e -> counts.put(e.getKey(), e.getValue().get("current").asInt()));
        assertThat(counts.values()).containsExactlyInAnyOrder(3, 3, 2);

        long lobby = api.get("/api/v1/sim-telegram/groups")
                .json()
                .get(0)
                .get("chat_id")
                .asLong();
        api.post(
                "/api/v1/sim-telegram/groups/" + lobby + "/messages",
                "{\"from_first_name\": \"Ana\", \"text\": \"hello\"}");
        await(
                "the message counted for every account via heartbeats",
                Duration.ofSeconds(30),
                () ->
                        api
                                .get("/api/v1/group-ai/accounts?size=8")
                                .json()
                                .get("items")
                                .findValues("message_count")
                                .stream()
                                .allMatch(c -> c.asLong() >= 1));
        JsonNode one = api.get("/api/v1/group-ai/accounts/" + LocalDemo.ACCOUNTS.get(0))
                .json();
        assertThat(one.get("group_ids").get(0).asLong()).isEqualTo(lobby);
        assertThat(one.get("source_node").asString())
                .isEqualTo(one.get("server_id").asString());
        assertThat(Files.exists(Path.of(
                        System.getProperty("java.io.tmpdir"),
                        "groupai-demo-test",
                        "nodes",
                        one.get("server_id").asString(),
                        "deploy",
                        "sessions",
                        one.get("account_id").asString())))
                .isTrue();

        welcomeScriptDeployedToTheThreeNodesGreetsANewMemberOnce(api, lobby);
    }

    /**
     * Issue 12's demo: only two accounts may talk in the lobby (the others are given another group); the
     * welcome script is uploaded and deployed to the three nodes (every demo account runs it), a person joins
     * the lobby, and exactly one welcome appears, from one of the two allowed accounts. Then a two-role scene
     * plays its lines in order, from two accounts, with its delays, and none of its lines (which contain the
     * script's keywords) is answered by another account of the fleet.
     */
    private void welcomeScriptDeployedToTheThreeNodesGreetsANewMemberOnce(Api api, long lobby) throws Exception {
        List<String> allowed = LocalDemo.ACCOUNTS.subList(0, 2);
        for (String account : LocalDemo.ACCOUNTS) {
            Api.Response put = api.put(
                    "/api/v1/group-ai/accounts/" + account + "/groups",
                    "{\"group_ids\": [" + (allowed.contains(account) ? lobby : -42) + "]}");
            assertThat(put.status()).as(put.body()).isEqualTo(200);
        }
        await(
                "every node runs with the accounts' groups and the fleet's 8 Telegram users",
                Duration.ofSeconds(60),
                () -> LocalDemo.NODES.stream()
                        .allMatch(n -> directory.view(n.nodeId()).fleetUserIds().length == 8
                                && directory.upToDate(n.nodeId())));

        byte[] yaml = Files.readAllBytes(Path.of("../examples/welcome-script.yaml"));
        Api.Response stored = api.post("/api/v1/group-ai/scripts", yaml, "application/yaml");
        assertThat(stored.status()).as(stored.body()).isIn(200, 201);
        List<String> nodes =
                LocalDemo.NODES.stream().map(LocalDemo.DemoNode::nodeId).toList();
        Api.Response deployed = api.post(
                "/api/v1/group-ai/scripts/deploy?wait_seconds=120",
                "{\"script_id\": \"" + LocalDemo.SCRIPT_ID + "\", \"node_ids\": [\"" + String.join("\", \"", nodes)
                        + "\"]}");
        assertThat(deployed.status()).as(deployed.body()).isEqualTo(200);
        JsonNode result = deployed.json().get("result");
        assertThat(result.get("ok").asBoolean()).as(result.toString()).isTrue();
        assertThat(result.get("nodes"))
                .hasSize(3)
                .allSatisfy(n -> assertThat(n.get("status").asString()).isEqualTo("INSTALLED"));
        int reloaded = 0;
        for (JsonNode n : result.get("nodes")) {
            reloaded += n.get("reloaded_accounts").size();
        }
        assertThat(reloaded)
                .as("every running demo account reloaded the script")
                .isEqualTo(8);

        int before = api.get("/api/v1/sim-telegram/groups/" + lobby + "/messages")
                .json()
                .size();
        api.post("/api/v1/sim-telegram/groups/" + lobby + "/members", "{\"first_name\": \"Zoe\"}");
        await(
                "a welcome for Zoe",
                Duration.ofSeconds(30),
                () -> welcomes(api, lobby, before).size() >= 1);
        Thread.sleep(5_000); // time for any duplicate from the other seven accounts to arrive
        List<JsonNode> welcomes = welcomes(api, lobby, before);
        assertThat(welcomes).as("exactly one welcome, from one account").hasSize(1);
        assertThat(welcomes.get(0).get("text").asString())
                .isIn(
                        "欢迎 Zoe 加入 Group AI demo lobby (simulated)！有问题随时问 😊",
                        "Welcome, Zoe! Glad to have you in Group AI demo lobby (simulated).");
        assertThat(welcomes.get(0).get("from_first_name").asString())
                .as("the welcome comes from an account allowed in the lobby")
                .isIn("Account " + allowed.get(0), "Account " + allowed.get(1));

        twoRoleScenePlaysInOrderWithItsDelays(api, lobby, allowed, nodes);
    }

    private void twoRoleScenePlaysInOrderWithItsDelays(Api api, long lobby, List<String> allowed, List<String> nodes)
            throws Exception {
        String host = allowed.get(0);
        String guest = allowed.get(1);
        // Version 1.1 of the welcome script adds a show played by two accounts; its lines say the script's
        // keywords ("hello", "hi"), which the other accounts must not answer: they come from the fleet.
        String yaml = Files.readString(Path.of("../examples/welcome-script.yaml"))
                .replace("version: \"1.0\"", "version: \"1.1\"")
                .replace("\nscenes:\n", """

                        roles: {host: ["%s"], guest: ["%s"]}
                        scenes:
                          - id: show
                            triggers: [{type: keyword, keywords: ["#show"]}]
                            lines:
                              - {role: host, template: "Welcome to the show, {{first_name}}!"}
                              - {role: guest, template: "hello from the guest", delay_seconds: 3}
                              - {role: host, template: "hi again, that is all", delay_seconds: 2}
                        """.formatted(host, guest));
        Api.Response stored = api.post(
                "/api/v1/group-ai/scripts", yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/yaml");
        assertThat(stored.status()).as(stored.body()).isEqualTo(201);
        Api.Response deployed = api.post(
                "/api/v1/group-ai/scripts/deploy?wait_seconds=120",
                "{\"script_id\": \"" + LocalDemo.SCRIPT_ID + "\", \"version\": \"1.1\", \"node_ids\": [\""
                        + String.join("\", \"", nodes) + "\"]}");
        assertThat(deployed.status()).as(deployed.body()).isEqualTo(200);
        assertThat(deployed.json().get("result").get("ok").asBoolean())
                .as(deployed.body())
                .isTrue();

        int before = api.get("/api/v1/sim-telegram/groups/" + lobby + "/messages")
                .json()
                .size();
        api.post(
                "/api/v1/sim-telegram/groups/" + lobby + "/messages",
                "{\"from_first_name\": \"Zoe\", \"text\": \"#show\"}"); // a member already: no welcome
        await(
                "the show's three lines",
                Duration.ofSeconds(60),
                () -> since(api, lobby, before + 1).size() >= 3);
        Thread.sleep(5_000); // time for any answer to a line from another account to arrive
        List<JsonNode> said = since(api, lobby, before + 1);
        assertThat(said)
                .extracting(m -> m.get("from_first_name").asString() + ": "
                        + m.get("text").asString())
                .as("the lines in order, from the two role accounts, and nothing else")
                .containsExactly(
                        "Account " + host + ": Welcome to the show, Zoe!",
                        "Account " + guest + ": hello from the guest",
                        "Account " + host + ": hi again, that is all");
        Instant first = Instant.parse(said.get(0).get("date").asString());
        Instant second = Instant.parse(said.get(1).get("date").asString());
        Instant third = Instant.parse(said.get(2).get("date").asString());
        assertThat(Duration.between(first, second)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(Duration.between(second, third)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }

    private static List<JsonNode> since(Api api, long lobby, int skip) {
        JsonNode messages =
                api.get("/api/v1/sim-telegram/groups/" + lobby + "/messages").json();
        List<JsonNode> out = new java.util.ArrayList<>();
        for (int i = skip; i < messages.size(); i++) {
            out.add(messages.get(i));
        }
        return out;
    }

    private static List<JsonNode> welcomes(Api api, long lobby, int skip) {
        List<JsonNode> out = new java.util.ArrayList<>();
        JsonNode messages =
                api.get("/api/v1/sim-telegram/groups/" + lobby + "/messages").json();
        for (int i = skip; i < messages.size(); i++) {
            if (messages.get(i).get("text").asString().contains("Zoe")) {
                out.add(messages.get(i));
            }
        }
        return out;
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
    }
}
