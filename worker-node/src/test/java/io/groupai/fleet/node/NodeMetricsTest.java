package io.groupai.fleet.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.node.metrics.NodeMetrics;
import io.groupai.fleet.workflows.agent.InstallScriptRequest;
import io.groupai.fleet.workflows.agent.NodeAgentActivities;
import io.groupai.fleet.workflows.agent.StartAccountRequest;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's /metrics over real HTTP: accounts running, script decisions and message latency change as the node works. */
class NodeMetricsTest {

    @TempDir
    Path deployDir;

    FakeControlPlane controlPlane;
    NodeServices services;
    TestActivityEnvironment env;
    NodeAgentActivities node;
    NodeMetrics metrics;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() throws Exception {
        controlPlane = new FakeControlPlane();
        NodeConfig config = NodeConfig.from(NodeAgentActivitiesTest.config(controlPlane, deployDir, "64KB"));
        services = new NodeServices(config, Clock.systemUTC());
        env = TestActivityEnvironment.newInstance();
        env.registerActivitiesImplementations(services.activities());
        node = env.newActivityStub(
                NodeAgentActivities.class,
                ActivityOptions.newBuilder()
                        .setStartToCloseTimeout(Duration.ofSeconds(30))
                        .setRetryOptions(
                                RetryOptions.newBuilder().setMaximumAttempts(1).build())
                        .build());
        assertThat(config.metricsAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", 0));
        metrics = NodeMetrics.start(
                config.nodeId(), config.metricsAddress(), deployDir.resolve("run"), services.accounts()::runningCount);
    }

    @AfterEach
    void tearDown() {
        metrics.close();
        env.close();
        services.close();
        controlPlane.close();
    }

    @Test
    void metricsFollowAccountsAndScriptDecisions() throws Exception {
        assertThat(Files.readString(deployDir.resolve("run/metrics.port")).strip())
                .isEqualTo(Integer.toString(metrics.port()));
        String before = scrape();
        assertThat(value(before, "groupai_node_accounts_running", "node=\"test-node\""))
                .isZero();
        assertThat(before).contains("jvm_memory_used_bytes", "process_uptime_seconds");
        double repliesBefore = value(before, "groupai_node_script_decisions_total", "decision=\"reply\"");

        byte[] yaml;
        try (InputStream in = getClass().getResourceAsStream("/welcome-script.yaml")) {
            yaml = in.readAllBytes();
        }
        controlPlane.files.put("welcome-1.0.yaml", yaml);
        node.installScript(new InstallScriptRequest(
                "welcome", "1.0", "/files/welcome-1.0.yaml", NodeAgentActivitiesTest.sha256(yaml)));
        node.startAccount(new StartAccountRequest("acc1", "welcome"));
        controlPlane.pushUpdate("acc1", "new_message", -100123L, "Test Group", 43L, "Bob", "Hello everyone");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String after = scrape();
        // The decision is counted before the reply is sent, the processing time after it.
        while (value(after, "groupai_node_message_processing_seconds_count", "node=\"test-node\"") < 1
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
            after = scrape();
        }
        assertThat(value(after, "groupai_node_accounts_running", "node=\"test-node\""))
                .isEqualTo(1);
        assertThat(value(after, "groupai_node_script_decisions_total", "decision=\"reply\""))
                .isEqualTo(repliesBefore + 1);
        assertThat(value(after, "groupai_node_message_processing_seconds_count", "node=\"test-node\""))
                .isGreaterThanOrEqualTo(1);
        // The app's path serves the same, so one scrape config fits app and nodes.
        assertThat(value(scrape("/actuator/prometheus"), "groupai_node_accounts_running", "node=\"test-node\""))
                .isEqualTo(1);
    }

    @Test
    void aMessageToAnAccountWhoseScriptIsNotInstalledCountsAsNoScript() throws Exception {
        // The demo's accounts name a script that was never deployed to their node: their messages must
        // still show as decisions.
        double before = value(scrape(), "groupai_node_script_decisions_total", "decision=\"no_script\"");
        node.startAccount(new StartAccountRequest("acc2", "not-deployed"));
        controlPlane.pushUpdate("acc2", "new_message", -100124L, "Lobby", 44L, "Ana", "hello");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String after = scrape();
        while (value(after, "groupai_node_script_decisions_total", "decision=\"no_script\"") < before + 1
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
            after = scrape();
        }
        assertThat(value(after, "groupai_node_script_decisions_total", "decision=\"no_script\""))
                .isEqualTo(before + 1);
    }

    private String scrape() throws Exception {
        return scrape("/metrics");
    }

    private String scrape(String path) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics.port() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    static double value(String text, String name, String labels) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE)
                .matcher(text);
        while (m.find()) {
            if (m.group(1) != null && m.group(1).contains(labels)) {
                return Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }
}
