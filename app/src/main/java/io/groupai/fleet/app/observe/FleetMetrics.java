package io.groupai.fleet.app.observe;

import io.groupai.fleet.alerts.AlertKind;
import io.groupai.fleet.alerts.AlertService;
import io.groupai.fleet.registry.PlacementCounts;
import io.groupai.fleet.registry.ServerRecord;
import io.groupai.fleet.registry.ServerRepository;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The fleet gauges on {@code /actuator/prometheus}, read from the database in the background every
 * {@code groupai.metrics.refresh} (a scrape only reads the last snapshot): accounts by status and
 * by placement, the online rate, servers by status and health, open alerts by kind, and CPU,
 * memory, disk and accounts per server (bounded by {@code groupai.metrics.max-server-series}).
 * Counts come from the database only (placement_counts for placed/unassigned, one indexed
 * GROUP BY status for the rest).
 */
@Component
public class FleetMetrics implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(FleetMetrics.class);

    record Snapshot(
            Map<String, Long> accountsByStatus,
            long allocated,
            long unassigned,
            Map<List<String>, Long> serversByStatusHealth,
            List<ServerRecord> servers,
            Map<AlertKind, Long> openAlerts) {
        static final Snapshot EMPTY = new Snapshot(Map.of(), 0, 0, Map.of(), List.of(), Map.of());
    }

    private final JdbcClient jdbc;
    private final PlacementCounts placement;
    private final ServerRepository servers;
    private final AlertService alerts;
    private final MeterRegistry meters;
    private final MetricsProperties properties;
    private final MultiGauge accountsByStatus;
    private final MultiGauge serversByState;
    private final Map<String, MultiGauge> perServer = new HashMap<>();
    private volatile Snapshot snapshot = Snapshot.EMPTY;
    private ScheduledExecutorService scheduler;

    public FleetMetrics(
            JdbcClient jdbc,
            PlacementCounts placement,
            ServerRepository servers,
            AlertService alerts,
            MeterRegistry meters,
            MetricsProperties properties) {
        this.jdbc = jdbc;
        this.placement = placement;
        this.servers = servers;
        this.alerts = alerts;
        this.meters = meters;
        this.properties = properties;
        accountsByStatus = MultiGauge.builder("groupai.accounts")
                .description("accounts by status (online, offline, allocating, failed, ...)")
                .register(meters);
        serversByState = MultiGauge.builder("groupai.servers")
                .description("registered servers by status and health")
                .register(meters);
        Gauge.builder("groupai.accounts.placement", this, m -> m.snapshot.allocated())
                .description("accounts by placement")
                .tag("state", "allocated")
                .register(meters);
        Gauge.builder("groupai.accounts.placement", this, m -> m.snapshot.unassigned())
                .description("accounts by placement")
                .tag("state", "unassigned")
                .register(meters);
        Gauge.builder("groupai.accounts.online.ratio", this, FleetMetrics::onlineRatio)
                .description("online accounts / placed accounts (0 when none is placed)")
                .register(meters);
        for (AlertKind kind : AlertKind.values()) {
            Gauge.builder(
                            "groupai.alerts.open",
                            this,
                            m -> m.snapshot.openAlerts().getOrDefault(kind, 0L))
                    .description("open alerts by kind")
                    .tag("kind", kind.wire())
                    .register(meters);
        }
        fleetWide("cpu", ServerRecord::cpuUsage);
        fleetWide("memory", ServerRecord::memoryUsage);
        fleetWide("disk", ServerRecord::diskUsage);
        for (String what : List.of("cpu", "memory", "disk", "accounts")) {
            perServer.put(
                    what,
                    MultiGauge.builder("groupai.server." + what + (what.equals("accounts") ? "" : ".usage"))
                            .description(
                                    what.equals("accounts")
                                            ? "accounts placed per server (placement_counts)"
                                            : what + " usage percent per server, from its last probe")
                            .register(meters));
        }
    }

    private void fleetWide(String what, Function<ServerRecord, Double> value) {
        ToDoubleFunction<FleetMetrics> max = m -> m.snapshot.servers().stream()
                .map(value)
                .filter(Objects::nonNull)
                .mapToDouble(Double::doubleValue)
                .max()
                .orElse(Double.NaN);
        Gauge.builder("groupai.servers." + what + ".usage.max", this, max)
                .description("highest " + what + " usage percent over all servers")
                .register(meters);
    }

    private double onlineRatio() {
        Snapshot s = snapshot;
        return s.allocated() == 0 ? 0 : (double) s.accountsByStatus().getOrDefault("online", 0L) / s.allocated();
    }

    /** Reads the database now and updates every gauge. */
    public synchronized void refresh() {
        Map<String, Long> byStatus = new HashMap<>();
        jdbc.sql("SELECT status, COUNT(*) AS n FROM accounts GROUP BY status")
                .query((rs, i) -> byStatus.put(rs.getString("status"), rs.getLong("n")))
                .list();
        PlacementCounts.Snapshot counts = placement.snapshot();
        List<ServerRecord> all = servers.findAll();
        Map<List<String>, Long> byState = new HashMap<>();
        for (ServerRecord s : all) {
            byState.merge(
                    List.of(
                            s.status().name().toLowerCase(java.util.Locale.ROOT),
                            s.health() == null ? "unknown" : s.health()),
                    1L,
                    Long::sum);
        }
        Snapshot next = new Snapshot(
                Map.copyOf(byStatus), counts.allocated(), counts.unassigned(), byState, all, alerts.openCounts());
        snapshot = next;

        accountsByStatus.register(
                next.accountsByStatus().entrySet().stream()
                        .map(e -> MultiGauge.Row.of(Tags.of("status", e.getKey()), e.getValue()))
                        .toList(),
                true);
        serversByState.register(
                next.serversByStatusHealth().entrySet().stream()
                        .map(e -> MultiGauge.Row.of(
                                Tags.of(
                                        "status",
                                        e.getKey().get(0),
                                        "health",
                                        e.getKey().get(1)),
                                e.getValue()))
                        .toList(),
                true);
        List<ServerRecord> tagged = all.stream()
                .sorted(Comparator.comparing(ServerRecord::nodeId))
                .limit(properties.maxServerSeries())
                .toList();
        perServer.get("cpu").register(rows(tagged, ServerRecord::cpuUsage), true);
        perServer.get("memory").register(rows(tagged, ServerRecord::memoryUsage), true);
        perServer.get("disk").register(rows(tagged, ServerRecord::diskUsage), true);
        perServer
                .get("accounts")
                .register(rows(tagged, s -> (double) counts.perServer().getOrDefault(s.nodeId(), 0L)), true);
    }

    private static List<MultiGauge.Row<?>> rows(List<ServerRecord> servers, Function<ServerRecord, Double> value) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (ServerRecord s : servers) {
            Double v = value.apply(s);
            if (v != null) {
                rows.add(MultiGauge.Row.of(Tags.of("server", s.nodeId()), v));
            }
        }
        return rows;
    }

    @Override
    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fleet-metrics");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(
                () -> {
                    try {
                        refresh();
                    } catch (RuntimeException e) {
                        log.warn("fleet metrics refresh failed: {}", e.toString());
                    }
                },
                0,
                properties.refresh().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
