package io.groupai.fleet.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupai.fleet.node.telegram.LoginState;
import io.groupai.fleet.node.telegram.LoginStep;
import io.groupai.fleet.workflows.agent.AccountRuntimeState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TELEGRAM_RUNTIME=tdlib wired through the whole node, on the real libtdjson.so (offline). */
class NodeServicesTdlibTest {

    @TempDir
    Path deployDir;

    // Placeholders: TDLib only needs syntactically valid values to start offline.
    private static final Map<String, String> TELEGRAM_ENV =
            Map.of("TELEGRAM_API_ID", "94575", "TELEGRAM_API_HASH", "a3406de8d171bb422bb6ddf3bbd800e2");

    private NodeConfig config(FakeControlPlane cp) {
        Map<String, String> values = NodeAgentActivitiesTest.config(cp, deployDir, "1MB");
        values.put("TELEGRAM_RUNTIME", "tdlib");
        return NodeConfig.from(values);
    }

    @Test
    void withoutTelegramCredentialsTheNodeRefusesToStartAndSaysWhatIsMissing() throws Exception {
        try (FakeControlPlane cp = new FakeControlPlane()) {
            assertThatThrownBy(() -> new NodeServices(config(cp), Clock.systemUTC(), Map.of()))
                    .isInstanceOf(NodeConfig.InvalidConfigException.class)
                    .hasMessageContaining("TELEGRAM_API_ID")
                    .hasMessageContaining("TELEGRAM_API_HASH");
        }
    }

    @Test
    void anAccountWithoutSessionStartsOnTdlibAndWaitsForItsLogin() throws Exception {
        try (FakeControlPlane cp = new FakeControlPlane()) {
            NodeServices services = new NodeServices(config(cp), Clock.systemUTC(), TELEGRAM_ENV);
            try {
                assertThat(services.runtime().name()).isEqualTo("tdlib");
                AccountRuntimeState started = services.accounts().start("acc-td", null);
                assertThat(started.status()).isEqualTo("waiting_login");
                // The session is the TDLib database under the deploy dir.
                assertThat(Files.exists(deployDir.resolve("sessions/acc-td/td/td.binlog")))
                        .isTrue();
                assertThat(services.runtime()
                                .submitLogin("acc-td", LoginStep.PASSWORD, "x")
                                .state())
                        .isEqualTo(LoginState.WAITING_PHONE);
                assertThat(services.accounts().snapshots())
                        .singleElement()
                        .satisfies(s -> assertThat(s.status()).isEqualTo("waiting_login"));
                assertThat(services.accounts().stop("acc-td").status()).isEqualTo("stopped");
            } finally {
                services.close();
            }
        }
    }
}
