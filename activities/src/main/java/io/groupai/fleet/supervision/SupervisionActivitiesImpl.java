package io.groupai.fleet.supervision;

import io.groupai.fleet.alerts.AlertKind;
import io.groupai.fleet.alerts.AlertService;
import io.groupai.fleet.alerts.AlertSeverity;
import io.groupai.fleet.heartbeats.HeartbeatProperties;
import io.groupai.fleet.registry.AccountRepository;
import io.groupai.fleet.registry.ServerRecord;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.workflows.supervision.HealthEvent;
import io.groupai.fleet.workflows.supervision.NodeCheck;
import io.groupai.fleet.workflows.supervision.SupervisionActivities;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Supervision's view of the database. The lease is judged here, on the control plane's clock (the
 * same clock that granted it), so workflows only compare the numbers they are given.
 */
@Component("supervisionActivities")
public class SupervisionActivitiesImpl implements SupervisionActivities {

    private static final Logger log = LoggerFactory.getLogger(SupervisionActivitiesImpl.class);

    private final ServerRepository servers;
    private final AccountRepository accounts;
    private final NodeHealthStore health;
    private final AlertService alerts;
    private final SupervisionProperties properties;
    private final Clock clock;
    private final Duration leaseTtl;
    // Since when this control plane has run without a break: leases that ran out while it was down or
    // stalled are not the nodes' fault.
    private final ControlPlaneRun run;

    public SupervisionActivitiesImpl(
            ServerRepository servers,
            AccountRepository accounts,
            NodeHealthStore health,
            AlertService alerts,
            SupervisionProperties properties,
            HeartbeatProperties heartbeat,
            ControlPlaneRun run,
            Clock clock) {
        this.servers = servers;
        this.accounts = accounts;
        this.health = health;
        this.alerts = alerts;
        this.properties = properties;
        this.clock = clock;
        this.leaseTtl = heartbeat.leaseTtl();
        this.run = run;
    }

    @Override
    public NodeCheck check(String nodeId) {
        ServerRecord s = servers.find(nodeId).orElse(null);
        if (s == null) {
            return new NodeCheck(
                    nodeId,
                    false,
                    null,
                    null,
                    null,
                    0,
                    0,
                    properties.failureThreshold(),
                    false,
                    0,
                    0,
                    leaseTtl.toMillis());
        }
        Instant now = clock.instant();
        Long left = s.leaseExpiresAt() == null
                ? null
                : Duration.between(now, s.leaseExpiresAt()).toMillis();
        return new NodeCheck(
                nodeId,
                true,
                left,
                s.leaseExpiresAt() == null ? null : s.leaseExpiresAt().toString(),
                s.lastHeartbeat() == null ? null : s.lastHeartbeat().toString(),
                Math.max(1, s.healthCheckInterval()),
                servers.probeIntervalSeconds(nodeId)
                        .orElse(properties.probeInterval().toSeconds()),
                properties.failureThreshold(),
                properties.failover(),
                accounts.countOnServer(nodeId),
                grace(s, now),
                leaseTtl.toMillis());
    }

    /**
     * A lease that ran out before this control plane started, or while it was stalled, ran out while
     * nobody could renew it: it is not held against the node until a lease TTL after the start (its
     * heartbeats resume within an interval). A lease that expires later is the node's.
     */
    private long grace(ServerRecord s, Instant now) {
        return run.graceMillis(s.leaseExpiresAt(), now, leaseTtl);
    }

    @Override
    public void record(String nodeId, HealthEvent event) {
        if (!health.record(nodeId, event)) {
            return;
        }
        switch (event.event()) {
            case "marked_down" -> {
                log.error("ALERT server {} is DOWN: {}", nodeId, event.detail());
                alerts.raise(
                        AlertKind.SERVER_DOWN,
                        AlertSeverity.CRITICAL,
                        nodeId,
                        null,
                        "server " + nodeId + " is down: " + event.detail());
            }
            case "marked_up" -> {
                log.warn("server {} is up: {}", nodeId, event.detail());
                alerts.resolveOpen(AlertKind.SERVER_DOWN, nodeId, null, "up again: " + event.detail());
            }
            default -> log.info("server {} {} ({}): {}", nodeId, event.event(), event.state(), event.detail());
        }
    }

    @Override
    public List<String> accountsOn(String nodeId) {
        return accounts.assignedTo(nodeId).stream()
                .map(AccountRepository.Assigned::accountId)
                .toList();
    }

    @Override
    public long millisUntilFenced(String nodeId, long marginMillis) {
        ServerRecord s = servers.find(nodeId).orElse(null);
        if (s == null || s.leaseExpiresAt() == null) {
            return 0;
        }
        long left = Duration.between(clock.instant(), s.leaseExpiresAt().plusMillis(marginMillis))
                .toMillis();
        return Math.max(0, left);
    }
}
