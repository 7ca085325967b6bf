package io.groupai.fleet.nodes;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** SSH timeouts and pool size (groupai.ssh.*). */
@Validated
@ConfigurationProperties("groupai.ssh")
public record SshProperties(
        @NotNull @DefaultValue("10s") Duration connectTimeout,
        @NotNull @DefaultValue("30s") Duration commandTimeout,
        @NotNull @DefaultValue("5m") Duration transferTimeout,
        @Min(1) @Max(64) @DefaultValue("4") int maxSessionsPerServer) {
}
