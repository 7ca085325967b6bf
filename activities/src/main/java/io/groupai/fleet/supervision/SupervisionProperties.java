package io.groupai.fleet.supervision;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Node supervision ({@code groupai.supervision.*}).
 *
 * @param enabled          start a supervisor for every registered server (at start-up and on registration)
 * @param probeInterval    how often a server whose lease is renewed is still probed over SSH and pinged on
 *                         its queue; a server row's {@code probe_interval} (seconds) overrides it
 * @param failureThreshold consecutive failed checks that mark a server down
 * @param failover         whether a server marked down has its accounts moved to healthy servers
 */
@Validated
@ConfigurationProperties("groupai.supervision")
public record SupervisionProperties(
        @DefaultValue("true") boolean enabled,
        @NotNull @DefaultValue("5m") Duration probeInterval,
        @Min(1) @Max(100) @DefaultValue("3") int failureThreshold,
        @DefaultValue("true") boolean failover) {}
