package io.groupai.fleet.rebalance;

import io.groupai.fleet.registry.ServerRecord;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.registry.ServerStatus;
import io.groupai.fleet.workflows.rebalance.RebalancePlan;
import io.groupai.fleet.workflows.rebalance.RebalanceRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/** Reads the fleet from the database and plans a rebalance; changes nothing. */
@Service
public class RebalanceService {

    private final ServerRepository servers;
    private final JdbcClient jdbc;
    private final RebalanceProperties properties;
    private final Clock clock;

    public RebalanceService(ServerRepository servers, JdbcClient jdbc, RebalanceProperties properties, Clock clock) {
        this.servers = servers;
        this.jdbc = jdbc;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * The configured settings with the request's overrides.
     *
     * @throws IllegalArgumentException for an override out of range, naming it
     */
    public RebalanceSettings settings(RebalanceRequest request) {
        RebalanceSettings defaults = properties.settings();
        if (request == null) {
            return defaults;
        }
        check("threshold_percent", request.thresholdPercent(), 0, 100);
        check("max_moves", request.maxMoves(), 0, 100_000);
        check("max_parallel", request.maxParallel(), 1, 100);
        check("max_per_server", request.maxPerServer(), 1, 100);
        return new RebalanceSettings(
                or(request.thresholdPercent(), defaults.thresholdPercent()),
                defaults.slowMillis(),
                defaults.slowCapacityPercent(),
                or(request.maxMoves(), defaults.maxMoves()),
                or(request.maxParallel(), defaults.maxParallel()),
                or(request.maxPerServer(), defaults.maxPerServer()));
    }

    public RebalancePlan plan(RebalanceRequest request) {
        return RebalancePlanner.plan(fleet(), settings(request));
    }

    /** Every server with its accounts: movable ones (placed, held by no operation, not failed) and the rest. */
    public List<FleetServer> fleet() {
        Instant now = clock.instant();
        Map<String, List<String>> movable = new HashMap<>();
        Map<String, Integer> pinned = new HashMap<>();
        jdbc.sql("SELECT account_id, server_id, reserved_server_id, operation_id, status FROM accounts "
                        + "WHERE server_id IS NOT NULL OR reserved_server_id IS NOT NULL ORDER BY account_id")
                .query((RowCallbackHandler) rs -> {
                    String account = rs.getString("account_id");
                    String server = rs.getString("server_id");
                    String reserved = rs.getString("reserved_server_id");
                    if (server != null) {
                        if (rs.getString("operation_id") == null && !"failed".equals(rs.getString("status"))) {
                            movable.computeIfAbsent(server, k -> new ArrayList<>())
                                    .add(account);
                        } else {
                            pinned.merge(server, 1, Integer::sum);
                        }
                    }
                    if (reserved != null && !reserved.equals(server)) {
                        pinned.merge(reserved, 1, Integer::sum);
                    }
                });
        List<FleetServer> fleet = new ArrayList<>();
        for (ServerRecord s : servers.findAll()) {
            boolean down = s.status() == ServerStatus.DOWN
                    || ServerRecord.SUPERVISION_DOWN.equals(s.supervision())
                    || s.leaseExpired(now);
            String why = s.status() != ServerStatus.ACTIVE
                    ? "server is " + s.status().wireName()
                    : "unhealthy".equals(s.health()) ? "server is unhealthy" : s.notReady(now);
            fleet.add(new FleetServer(
                    s.nodeId(),
                    s.maxAccounts(),
                    movable.getOrDefault(s.nodeId(), List.of()),
                    pinned.getOrDefault(s.nodeId(), 0),
                    why == null,
                    why,
                    down,
                    s.latencyMs()));
        }
        return fleet;
    }

    private static void check(String field, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    private static int or(Integer value, int fallback) {
        return value == null ? fallback : value;
    }
}
