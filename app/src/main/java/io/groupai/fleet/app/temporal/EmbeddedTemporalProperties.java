package io.groupai.fleet.app.temporal;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The embedded Temporal server started when no TEMPORAL_ADDRESS is configured.
 *
 * @param bindAddress where its gRPC endpoint listens; loopback by default so it is not exposed
 * @param port        gRPC port; 0 picks a free one (tests)
 */
@Validated
@ConfigurationProperties("groupai.temporal.embedded")
public record EmbeddedTemporalProperties(
        @NotBlank String bindAddress,
        @Min(0) @Max(65535) int port) {
}
