package io.groupai.fleet.rebalance;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Rebalance ({@code groupai.rebalance}); a request may override the threshold and the limits.
 *
 * @param scheduled           run it on a schedule (a Temporal Schedule on a full server, a cron workflow on
 *                            Temporal's Java test server)
 * @param every               how often; the Java test server's cron has whole minutes
 * @param thresholdPercent    largest usage spread (percentage points) left alone (seed: 30 %)
 * @param slowResponse        a server whose last probe answered slower than this is slow (seed: 2 s)
 * @param slowCapacityPercent a slow server keeps at most this share of its max_accounts
 * @param maxMoves            at most this many moves per run (0: no limit); the next run goes on
 * @param maxParallel         migrations at once
 * @param maxPerServer        migrations at once touching one server (as source or target)
 */
@Validated
@ConfigurationProperties("groupai.rebalance")
public record RebalanceProperties(
        @DefaultValue("true") boolean scheduled,
        @NotNull @DefaultValue("10m") Duration every,
        @Min(0) @Max(100) @DefaultValue("30") int thresholdPercent,
        @NotNull @DefaultValue("2s") Duration slowResponse,
        @Min(0) @Max(100) @DefaultValue("50") int slowCapacityPercent,
        @Min(0) @Max(100000) @DefaultValue("200") int maxMoves,
        @Min(1) @Max(100) @DefaultValue("4") int maxParallel,
        @Min(1) @Max(100) @DefaultValue("1") int maxPerServer) {

    public RebalanceSettings settings() {
        return new RebalanceSettings(
                thresholdPercent,
                Math.max(1, slowResponse.toMillis()),
                slowCapacityPercent,
                maxMoves,
                maxParallel,
                maxPerServer);
    }
}
