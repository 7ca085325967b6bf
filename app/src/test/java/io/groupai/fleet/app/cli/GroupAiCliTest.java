package io.groupai.fleet.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.app.allocation.SimulatedFleet;
import io.groupai.fleet.sessions.SessionStore;
import io.temporal.client.WorkflowClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The groupai command against the real app: reads, a followed allocation, refusals and exit codes. */
@FleetIntegrationTest
class GroupAiCliTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    WorkflowClient client;

    @Autowired
    SessionStore sessions;

    @TempDir
    Path dir;

    Api api;
    SimulatedFleet fleet;
    String token;

    record Run(int code, String out, String err) {}

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
        fleet = new SimulatedFleet(api, client, dir);
        token = Api.token(port, Api.TEST_ADMIN_USERNAME, Api.TEST_ADMIN_PASSWORD);
    }

    @AfterEach
    void tearDown() {
        fleet.close();
    }

    private Run groupai(String... args) {
        return groupaiWithToken(token, args);
    }

    private Run groupaiWithToken(String bearer, String... args) {
        List<String> all = new ArrayList<>(List.of("groupai", "--url", "http://127.0.0.1:" + port));
        if (bearer != null) {
            all.add("--token");
            all.add(bearer);
        }
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = GroupAiCli.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void allocatesFollowingTheWorkflowWithProgressThenShowsTheFleet() throws Exception {
        fleet.node("cli-a", 5, true).node("cli-b", 5, true).start();
        SimulatedFleet.accounts(api, sessions, List.of("639200000001", "639200000002", "639200000003"), true);

        Run allocate = groupai("allocate", "--strategy", "balanced");
        assertThat(allocate.code()).as(allocate.toString()).isZero();
        // Progress on stderr (one line per change: stderr is not a terminal here), the outcome on stdout.
        assertThat(allocate.err()).contains("allocate-").containsPattern("\\] +\\d+%? ?\\d*/?3|placed");
        assertThat(allocate.err().lines().filter(l -> l.contains("COMPLETED")).toList())
                .singleElement()
                .satisfies(l -> assertThat(l).contains("3/3", "placed 3, failed 0", "[" + "#".repeat(30) + "] 100%"));
        assertThat(allocate.out()).contains("COMPLETED", "placed: 3", "failed: 0");

        Run status = groupai("status");
        assertThat(status.code()).isZero();
        assertThat(status.out())
                .contains("accounts: 3 total, 3 allocated, 0 unallocated")
                .contains("cli-a", "cli-b");

        Run servers = groupai("--json", "servers");
        assertThat(servers.code()).isZero();
        JsonNode page = JsonMapper.builder().build().readTree(servers.out());
        assertThat(page.get("total").asInt()).isEqualTo(2);

        Run accounts = groupai("accounts", "--server", "cli-a");
        assertThat(accounts.code()).isZero();
        assertThat(accounts.out().lines().filter(l -> l.startsWith("6392")).count())
                .isEqualTo(jdbc.sql("SELECT COUNT(*) FROM accounts WHERE server_id = 'cli-a'")
                        .query(Long.class)
                        .single());

        // Nothing left to allocate: said, and nothing started.
        Run again = groupai("allocate");
        assertThat(again.code()).as(again.toString()).isZero();
        assertThat(again.out()).contains("no unallocated accounts; nothing to do");
    }

    @Test
    void aFailedOperationExitsOneNamingTheStepAndBadInputIsTheApisProblem() throws Exception {
        api.post("/api/v1/group-ai/servers", """
                {"node_id": "cli-dead", "host": "127.0.0.1", "port": 1, "user": "fleet", "deploy_dir": "/srv/x", "max_accounts": 1}""");
        Run op = groupai("server", "status", "cli-dead");
        assertThat(op.code()).as(op.toString()).isEqualTo(1);
        // A status check reports (the workflow completes) that the server could not be checked, and why.
        assertThat(op.out()).contains("server-op-cli-dead: COMPLETED", "success: false", "server cli-dead, step auth");

        Run shown = groupai("--json", "workflow", "server-op-cli-dead");
        assertThat(shown.code()).isZero();
        assertThat(JsonMapper.builder()
                        .build()
                        .readTree(shown.out())
                        .get("result")
                        .get("success")
                        .asBoolean())
                .isFalse();

        Run strategy = groupai("allocate", "--strategy", "fastest");
        assertThat(strategy.code()).isEqualTo(1);
        assertThat(strategy.err()).contains("400", "balanced", "round_robin");

        Path batch = Files.writeString(
                dir.resolve("batch.json"),
                "{\"allocations\": [{\"account_id\": \"nobody\", \"server_id\": \"cli-dead\"}]}");
        Run refused = groupai("batch", batch.toString());
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("nobody");

        Run usage = groupai("server", "explode", "cli-dead");
        assertThat(usage.code()).isEqualTo(2);
        assertThat(usage.err()).contains("ACTION", "expected one of [start, stop, restart, status]", "explode");
    }

    @Test
    void badInputIsSaidPlainlyAndTheRouterAndUpgradeCommandsTakeTheirOptions() throws Exception {
        // A file that is not there, or not JSON: bad usage (2), said as such, not as an unreachable server.
        Run missing = groupai("batch", dir.resolve("nowhere.json").toString());
        assertThat(missing.code()).as(missing.toString()).isEqualTo(2);
        assertThat(missing.err()).contains("cannot read", "nowhere.json").doesNotContain("cannot reach");
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"allocations\": [");
        Run malformed = groupai("batch", broken.toString());
        assertThat(malformed.code()).isEqualTo(2);
        assertThat(malformed.err()).contains("broken.json is not JSON (line 1").doesNotContain("REDACTED");

        StringWriter urlErr = new StringWriter();
        int url = GroupAiCli.run(
                new String[] {"--url", "not a url", "--token", token, "status"},
                new PrintWriter(new StringWriter()),
                new PrintWriter(urlErr));
        assertThat(url).as(urlErr.toString()).isEqualTo(2);
        assertThat(urlErr.toString()).contains("--url not a url is not a control plane URL");

        // A problem's field errors once each, not again inside the detail.
        Path twoWrong = Files.writeString(
                dir.resolve("two-wrong.json"),
                "{\"allocations\": [{\"account_id\": \"nobody\", \"server_id\": \"nowhere\"}]}");
        Run target = groupai("batch", twoWrong.toString());
        assertThat(target.code()).isEqualTo(1);
        assertThat(target.err().split("server nowhere is not registered", -1))
                .as(target.err())
                .hasSize(2);
        assertThat(target.err().split("account nobody does not exist", -1)).hasSize(2);

        // deploy takes a YAML file: stored first (a new version), then deployed.
        Run deploy =
                groupai("deploy", Path.of("../examples/welcome-script.yaml").toString(), "--nodes", "nowhere");
        assertThat(deploy.err()).contains("as script 000新人欢迎剧本 version 1.0", "nowhere");
        assertThat(deploy.code()).isEqualTo(1);
        assertThat(api.get("/api/v1/group-ai/scripts").body()).contains("000新人欢迎剧本");

        Run upgrade = groupai("upgrade", "--nodes", "nowhere", "--batch-size", "2");
        assertThat(upgrade.code()).as(upgrade.toString()).isEqualTo(1);
        assertThat(upgrade.err()).contains("POST /api/v1/group-ai/upgrades: 404", "nowhere");

        // The router's own options pass through.
        Path config = dir.resolve("pool/multi_account_config.json");
        Run init = groupai("router", "init", "--config", config.toString());
        assertThat(init.code()).as(init.toString()).isZero();
        assertThat(config).exists();
    }

    @Test
    void progressAndItemsOfEveryWorkflowShapeRenderWhatTheySay() {
        JsonNode progress = JsonMapper.builder().build().readTree("""
                [{"node_id": "n1", "state": "UPGRADED"},
                 {"node_id": "n2", "state": "UPGRADING", "step": "install the new agent"},
                 {"node_id": "n3", "state": "PENDING"}]""");
        assertThat(GroupAiCli.Progress.fraction(progress)).containsExactly(1, 3);
        assertThat(GroupAiCli.Progress.label(progress)).isEqualTo("n2 upgrading: install the new agent");
        // A script deployment says each node's "status".
        JsonNode deploy = JsonMapper.builder()
                .build()
                .readTree(
                        "[{\"node_id\": \"n1\", \"status\": \"INSTALLED\"}, {\"node_id\": \"n2\", \"status\": \"RUNNING\"}]");
        assertThat(GroupAiCli.Progress.fraction(deploy)).containsExactly(1, 2);
        assertThat(GroupAiCli.Progress.label(deploy)).isEqualTo("n2 running");
        // A reconciliation report's drift is an object inside each item.
        JsonNode drift = JsonMapper.builder()
                .build()
                .readTree(
                        "{\"drift\": {\"kind\": \"RUNNING_UNASSIGNED\", \"account_id\": \"a1\"}, \"outcome\": \"planned\"}");
        assertThat(GroupAiCli.oneLine(drift)).isEqualTo("kind=RUNNING_UNASSIGNED account_id=a1 outcome=planned");
    }

    @Test
    void withoutAValidTokenItSaysHowToSignIn() {
        Run none = groupaiWithToken(null, "servers");
        assertThat(none.code()).isEqualTo(3);
        assertThat(none.err()).contains("401", "groupai token --username");

        Run wrong = groupaiWithToken("not-a-token", "status");
        assertThat(wrong.code()).isEqualTo(3);

        Run unreachable = GroupAiCliTest.this.unreachable();
        assertThat(unreachable.code()).isEqualTo(1);
        assertThat(unreachable.err()).contains("cannot reach", "GROUPAI_URL");
    }

    private Run unreachable() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = GroupAiCli.run(
                new String[] {"--url", "http://127.0.0.1:1", "--token", token, "status"},
                new PrintWriter(out),
                new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }
}
