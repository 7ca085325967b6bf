package io.groupai.fleet.app.temporal;

import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.spring.boot.TemporalOptionsCustomizer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Starts the embedded Temporal server when no external one is configured (TEMPORAL_ADDRESS empty)
 * and points the Temporal starter's connection at it. The customizer depends on the server bean,
 * so the server is listening before the starter creates its service stubs.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${TEMPORAL_ADDRESS:}'.isBlank()")
class EmbeddedTemporalConfiguration {

    @Bean(destroyMethod = "close")
    EmbeddedTemporalServer embeddedTemporalServer(EmbeddedTemporalProperties properties) {
        return new EmbeddedTemporalServer(properties.bindAddress(), properties.port());
    }

    @Bean
    TemporalOptionsCustomizer<WorkflowServiceStubsOptions.Builder> embeddedTemporalTarget(EmbeddedTemporalServer server) {
        return builder -> builder.setTarget(server.target());
    }
}
