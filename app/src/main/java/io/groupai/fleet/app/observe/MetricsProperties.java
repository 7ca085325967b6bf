package io.groupai.fleet.app.observe;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code groupai.metrics}: how the fleet gauges are read.
 *
 * @param refresh          the fleet gauges (accounts by status, servers, per-server usage) are read
 *                         from the database at most this often, never on the scrape itself
 * @param maxServerSeries  per-server gauges (tag {@code server}) for at most this many servers (the
 *                         first by node id); a larger fleet still gets the fleet-wide max/avg gauges.
 *                         Keeps the series count bounded: 4 gauges × this number
 */
@Validated
@ConfigurationProperties("groupai.metrics")
public record MetricsProperties(
        @NotNull @DefaultValue("30s") Duration refresh,
        @Min(0) @Max(10_000) @DefaultValue("200") int maxServerSeries) {}
