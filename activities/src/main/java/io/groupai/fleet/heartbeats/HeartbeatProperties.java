package io.groupai.fleet.heartbeats;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param leaseTtl how long one heartbeat keeps a node's lease; a node that cannot renew it stops
 *                 its accounts when it runs out, and failover waits at least this long
 */
@Validated
@ConfigurationProperties("groupai.heartbeat")
public record HeartbeatProperties(
        @NotNull @DefaultValue("90s") Duration leaseTtl) {}
