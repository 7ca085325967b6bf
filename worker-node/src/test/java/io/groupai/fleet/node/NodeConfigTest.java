package io.groupai.fleet.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigTest {

    @TempDir
    Path dir;

    @Test
    void fileThenEnvironmentWithDefaults() throws Exception {
        Path file = Files.writeString(
                dir.resolve("worker-node.properties"),
                "NODE_ID=worker-01\nNODE_TOKEN=file-token\nDEPLOY_DIR=" + dir + "\nHEARTBEAT_INTERVAL=10s\n");
        NodeConfig c = NodeConfig.load(
                new String[] {file.toString()}, Map.of("NODE_ID", "manila", "NODE_TOKEN", "env-secret"));
        assertThat(c.nodeId()).isEqualTo("manila");
        assertThat(c.nodeToken()).isEqualTo("env-secret");
        assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.temporalAddress()).isEqualTo("127.0.0.1:7233");
        assertThat(c.temporalNamespace()).isEqualTo("default");
        assertThat(c.controlPlaneUrl().toString()).isEqualTo("http://127.0.0.1:8080");
        assertThat(c.telegramRuntime()).isEqualTo("simulated");
        assertThat(c.sessionMaxUnpackedBytes()).isEqualTo(512L * 1024 * 1024);
        assertThat(c.exitAfterControlPlaneLost())
                .as("real nodes never give up by default")
                .isNull();
        assertThat(c.toString()).doesNotContain("env-secret").contains("nodeToken=***");
    }

    @Test
    void configFileFromEnvironmentVariable() throws Exception {
        Path file =
                Files.writeString(dir.resolve("n.properties"), "NODE_ID=n1\nNODE_TOKEN=t\nDEPLOY_DIR=" + dir + "\n");
        assertThat(NodeConfig.load(new String[0], Map.of(NodeConfig.CONFIG_ENV, file.toString()))
                        .nodeId())
                .isEqualTo("n1");
    }

    @Test
    void everyProblemIsNamedAtOnce() {
        assertThatThrownBy(() -> NodeConfig.from(Map.of(
                        "NODE_ID",
                        "Bad Id",
                        "HEARTBEAT_INTERVAL",
                        "soon",
                        "TELEGRAM_RUNTIME",
                        "mtproto",
                        "CONTROL_PLANE_URL",
                        "ftp://x",
                        "TEMPORAL_ADDRESS",
                        "nope",
                        "NODE_TOKN",
                        "x")))
                .isInstanceOf(NodeConfig.InvalidConfigException.class)
                .hasMessageContaining("NODE_ID 'Bad Id' must match")
                .hasMessageContaining("NODE_TOKEN is required")
                .hasMessageContaining("DEPLOY_DIR is required")
                .hasMessageContaining("HEARTBEAT_INTERVAL 'soon' is not a duration")
                .hasMessageContaining("TELEGRAM_RUNTIME 'mtproto' must be simulated or tdlib")
                .hasMessageContaining("CONTROL_PLANE_URL 'ftp://x' must be an http:// or https:// URL")
                .hasMessageContaining("TEMPORAL_ADDRESS 'nope' must be host:port")
                .hasMessageContaining("unknown key NODE_TOKN");
    }

    @Test
    void exitAfterControlPlaneLostIsOffOrADuration() {
        Map<String, String> base = Map.of("NODE_ID", "n1", "NODE_TOKEN", "t", "DEPLOY_DIR", dir.toString());
        assertThat(NodeConfig.from(with(base, "EXIT_AFTER_CONTROL_PLANE_LOST", "3m"))
                        .exitAfterControlPlaneLost())
                .isEqualTo(Duration.ofMinutes(3));
        assertThat(NodeConfig.from(with(base, "EXIT_AFTER_CONTROL_PLANE_LOST", "off"))
                        .exitAfterControlPlaneLost())
                .isNull();
        assertThatThrownBy(() -> NodeConfig.from(with(base, "EXIT_AFTER_CONTROL_PLANE_LOST", "soonish")))
                .hasMessageContaining("EXIT_AFTER_CONTROL_PLANE_LOST 'soonish' is not a duration");
    }

    @Test
    void startParallelismDefaultsToEightAndIsBounded() {
        Map<String, String> base = Map.of("NODE_ID", "n1", "NODE_TOKEN", "t", "DEPLOY_DIR", dir.toString());
        assertThat(NodeConfig.from(base).startParallelism()).isEqualTo(8);
        assertThat(NodeConfig.from(with(base, "START_PARALLELISM", "16")).startParallelism())
                .isEqualTo(16);
        for (String bad : List.of("0", "257", "many")) {
            assertThatThrownBy(() -> NodeConfig.from(with(base, "START_PARALLELISM", bad)))
                    .hasMessageContaining("START_PARALLELISM '" + bad + "' must be a whole number from 1 to 256");
        }
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> m = new java.util.HashMap<>(base);
        m.put(key, value);
        return m;
    }

    @Test
    void missingFileIsAClearError() {
        assertThatThrownBy(() -> NodeConfig.load(
                        new String[] {dir.resolve("nope.properties").toString()}, Map.of()))
                .isInstanceOf(NodeConfig.InvalidConfigException.class)
                .hasMessageContaining("cannot read config file");
    }

    @Test
    void plainHttpToAnotherHostIsRefusedUnlessExplicitlyAllowed() {
        Map<String, String> base = Map.of("NODE_ID", "n1", "NODE_TOKEN", "t", "DEPLOY_DIR", dir.toString());
        assertThatThrownBy(() -> NodeConfig.from(with(base, "CONTROL_PLANE_URL", "http://10.0.0.5:8080")))
                .isInstanceOf(NodeConfig.InvalidConfigException.class)
                .hasMessageContaining("CONTROL_PLANE_URL 'http://10.0.0.5:8080' is plain http to another host")
                .hasMessageContaining("CONTROL_PLANE_ALLOW_INSECURE_HTTP=true");
        assertThatThrownBy(() -> NodeConfig.from(with(base, "CONTROL_PLANE_URL", "http://fleet.example.com")))
                .hasMessageContaining("plain http to another host");
        // A name that merely starts like loopback is not loopback.
        assertThatThrownBy(() -> NodeConfig.from(with(base, "CONTROL_PLANE_URL", "http://127.0.0.1.evil.example")))
                .hasMessageContaining("plain http to another host");

        assertThat(NodeConfig.from(with(base, "CONTROL_PLANE_URL", "https://fleet.example.com"))
                        .controlPlaneUrl()
                        .getScheme())
                .isEqualTo("https");
        for (String loopback : new String[] {"http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080"}) {
            assertThat(NodeConfig.from(with(base, "CONTROL_PLANE_URL", loopback))
                            .controlPlaneUrl()
                            .toString())
                    .isEqualTo(loopback);
        }
        Map<String, String> insecure = with(base, "CONTROL_PLANE_URL", "http://10.0.0.5:8080");
        insecure.put("CONTROL_PLANE_ALLOW_INSECURE_HTTP", "true");
        assertThat(NodeConfig.from(insecure).controlPlaneUrl().getHost()).isEqualTo("10.0.0.5");
    }

    @Test
    void temporalTlsWithAnOptionalCaFile() throws Exception {
        Map<String, String> base = Map.of("NODE_ID", "n1", "NODE_TOKEN", "t", "DEPLOY_DIR", dir.toString());
        assertThat(NodeConfig.from(base).temporalTls()).isFalse();
        assertThat(NodeConfig.from(with(base, "TEMPORAL_TLS", "true")).temporalTls())
                .isTrue();
        assertThatThrownBy(() -> NodeConfig.from(with(base, "TEMPORAL_TLS", "maybe")))
                .hasMessageContaining("TEMPORAL_TLS 'maybe' must be true or false");
        Map<String, String> ca = with(base, "TEMPORAL_TLS", "true");
        ca.put("TEMPORAL_TLS_CA", dir.resolve("missing.pem").toString());
        assertThatThrownBy(() -> NodeConfig.from(ca)).hasMessageContaining("is not a readable file");
        Files.writeString(dir.resolve("ca.pem"), "x");
        ca.put("TEMPORAL_TLS_CA", dir.resolve("ca.pem").toString());
        assertThat(NodeConfig.from(ca).temporalTlsCa()).isEqualTo(dir.resolve("ca.pem"));
    }

    @Test
    void anHttpsControlPlaneWithAPrivateCaFile() throws Exception {
        Map<String, String> base = Map.of(
                "NODE_ID",
                "n1",
                "NODE_TOKEN",
                "t",
                "DEPLOY_DIR",
                dir.toString(),
                "CONTROL_PLANE_URL",
                "https://cp:8443");
        assertThat(NodeConfig.from(base).controlPlaneTlsCa()).isNull();
        assertThatThrownBy(() -> NodeConfig.from(with(
                        base, "CONTROL_PLANE_TLS_CA", dir.resolve("missing.pem").toString())))
                .hasMessageContaining("CONTROL_PLANE_TLS_CA " + dir.resolve("missing.pem") + " is not a readable file");
        Files.writeString(dir.resolve("cp-ca.pem"), "x");
        assertThat(NodeConfig.from(with(
                                base,
                                "CONTROL_PLANE_TLS_CA",
                                dir.resolve("cp-ca.pem").toString()))
                        .controlPlaneTlsCa())
                .isEqualTo(dir.resolve("cp-ca.pem"));
        // Not a certificate: the agent refuses to start instead of trusting nothing.
        assertThatThrownBy(() -> ControlPlaneHttp.trusting(dir.resolve("cp-ca.pem")))
                .hasMessageContaining("cp-ca.pem");
    }
}
