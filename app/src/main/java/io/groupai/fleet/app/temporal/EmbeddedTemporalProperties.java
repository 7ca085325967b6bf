package io.groupai.fleet.app.temporal;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The Temporal server this app starts for itself when no TEMPORAL_ADDRESS is configured.
 *
 * @param server       which one: {@code auto} (the CLI's dev server when a temporal CLI is found,
 *                     else the Java test server), {@code dev-server} or {@code java-test-server}
 * @param cli          the temporal binary (GROUPAI_TEMPORAL_CLI); blank: looked up on the PATH
 * @param bindAddress  where its gRPC endpoint (and the dev server's UI) listens; loopback by default so it is not exposed
 * @param port         gRPC port; 0 picks a free one (tests)
 * @param uiPort       the dev server's Web UI port; 0 picks a free one
 * @param dataDir      the dev server's database, pid file and log go here
 * @param startTimeout how long to wait for the dev server to answer
 */
@Validated
@ConfigurationProperties("groupai.temporal.embedded")
public record EmbeddedTemporalProperties(
        @NotNull Server server,
        String cli,
        @NotBlank String bindAddress,
        @Min(0) @Max(65535) int port,
        @Min(0) @Max(65535) int uiPort,
        @NotBlank String dataDir,
        @NotNull Duration startTimeout) {

    public enum Server {
        AUTO,
        DEV_SERVER,
        JAVA_TEST_SERVER
    }
}
