package io.groupai.fleet.heartbeats;

import io.groupai.fleet.alerts.AlertKind;
import io.groupai.fleet.alerts.AlertService;
import io.groupai.fleet.alerts.AlertSeverity;
import io.groupai.fleet.reconcile.NodeReports;
import io.groupai.fleet.registry.AccountReport;
import io.groupai.fleet.registry.AccountRepository;
import io.groupai.fleet.registry.AccountRepository.ReportedRow;
import io.groupai.fleet.registry.ServerRepository;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Applies a heartbeat: renews the node's lease, records what the node reports about its accounts
 * (the database stays the source of every count), settles acknowledged commands and hands out
 * the pending ones — all in one transaction.
 *
 * <p>A heartbeat records, it never assigns: placement belongs to allocation and migration alone,
 * so a node cannot obtain an account (and then download its session) by listing it. An account
 * assigned to this node gets its status and counters — its status only while no operation holds
 * it (an operation in flight owns the row's status until it completes or releases). An unknown
 * account is recorded without a server, "seen on" this node; an unassigned one gets its counters
 * and where it was seen. One assigned to another server is only marked as seen here. Accounts the
 * node runs (any status but {@code stopped}/{@code removed}) that are not assigned to it come back
 * in {@code rejectedAccounts}: running an account on two servers at once is exactly what the
 * system must prevent.
 *
 * <p>Ingest cost: the reported rows are read (without row locks) with one query per 500 accounts,
 * compared with the report, and only rows that changed are written, with one UPDATE per 32 rows, each
 * row on condition that its server and operation are still those it was compared with; unknown
 * accounts are inserted in one JDBC batch. A row's {@code last_report_at} is therefore when a report last changed
 * it; how fresh the node's reports are is the server's {@code last_heartbeat}.
 */
@Service
public class HeartbeatService {

    private static final Logger log = LoggerFactory.getLogger(HeartbeatService.class);

    /** Reported statuses of accounts a node lists without hosting them. */
    static final Set<String> NOT_HOSTED = Set.of("stopped", "removed");

    /** Statuses only a new login recovers from (the agent's terminal Telegram states): the account is dead. */
    static final Set<String> DEAD = Set.of("auth_key_duplicated", "session_revoked", "user_deactivated");

    private final ServerRepository servers;
    private final AccountRepository accounts;
    private final NodeCommandQueue commands;
    private final NodeReports nodeReports;
    private final AlertService alerts;
    private final HeartbeatProperties properties;
    private final Clock clock;

    public HeartbeatService(
            ServerRepository servers,
            AccountRepository accounts,
            NodeCommandQueue commands,
            NodeReports nodeReports,
            AlertService alerts,
            HeartbeatProperties properties,
            Clock clock) {
        this.servers = servers;
        this.accounts = accounts;
        this.commands = commands;
        this.nodeReports = nodeReports;
        this.alerts = alerts;
        this.properties = properties;
        this.clock = clock;
    }

    /** READ COMMITTED like every claim: no gap locks, so heartbeats inserting new accounts do not deadlock. */
    @Transactional(isolation = Isolation.READ_COMMITTED)
    public HeartbeatReply accept(Heartbeat heartbeat) {
        String nodeId = heartbeat.nodeId();
        Instant now = clock.instant();
        Instant leaseExpiresAt = now.plus(properties.leaseTtl());
        // Locks the server row (placements on this node wait for this sync); account rows are not locked.
        servers.recordHeartbeat(
                nodeId,
                now,
                leaseExpiresAt,
                heartbeat.status(),
                heartbeat.accounts().size());

        Map<String, AccountReport> reports = new LinkedHashMap<>();
        for (AccountReport r : heartbeat.accounts()) {
            reports.put(r.accountId(), r); // listed twice: the later entry wins
        }
        // What it runs, as the reconciler's fallback when the node's own queue does not answer: one row per node.
        nodeReports.record(
                nodeId,
                reports.values().stream()
                        .filter(r -> !NOT_HOSTED.contains(r.status()))
                        .map(AccountReport::accountId)
                        .toList(),
                now);
        Map<String, ReportedRow> stored = accounts.findReported(reports.keySet());
        List<AccountReport> unknown = new ArrayList<>();
        List<ReportedRow> changed = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        List<String> elsewhere = new ArrayList<>();
        for (AccountReport report : reports.values()) {
            AccountReport r = normalized(report);
            ReportedRow row = stored.get(r.accountId());
            if (row == null) {
                unknown.add(r);
            } else {
                ReportedRow next = recorded(row, r, nodeId);
                if (!next.equals(row)) {
                    changed.add(next);
                }
            }
            String assigned = row == null ? null : row.serverId();
            if (assigned != null && !assigned.equals(nodeId)) {
                rejected.add(r.accountId());
                elsewhere.add(r.accountId() + "→" + assigned);
            } else if (assigned == null && !NOT_HOSTED.contains(r.status())) {
                rejected.add(r.accountId());
            }
        }
        int written = accounts.updateReported(changed, now);
        for (ReportedRow next : changed) {
            deathOrRevival(stored.get(next.accountId()), next, nodeId);
        }
        if (written < changed.size()) {
            log.info(
                    "node {}: {} reports dropped, their accounts were placed or released meanwhile",
                    nodeId,
                    changed.size() - written);
        }
        // Last: inserting changes the unassigned count, and count rows are the last locks any transaction takes.
        accounts.insertReported(unknown, nodeId, now);
        if (!elsewhere.isEmpty()) {
            log.warn(
                    "node {} reports {} accounts assigned to other servers; not moved: {}",
                    nodeId,
                    elsewhere.size(),
                    elsewhere.subList(0, Math.min(10, elsewhere.size())));
        }
        if (rejected.size() > elsewhere.size()) {
            log.info(
                    "node {} runs {} accounts not assigned to any server; recorded unassigned",
                    nodeId,
                    rejected.size() - elsewhere.size());
        }

        commands.acknowledge(nodeId, heartbeat.ackedCommands());
        heartbeat.failedCommands().forEach(f -> commands.fail(nodeId, f.id(), f.error()));
        List<PendingCommand> pending = commands.deliver(nodeId);
        // Read after the lease was renewed under the server row lock: an account a migration or failover
        // holds (operation_id set) is not listed, so the node never restarts an account being moved away.
        List<HeartbeatReply.AssignedAccount> assigned = heartbeat.wantsAssigned()
                ? accounts.assignedTo(nodeId).stream()
                        .map(a -> new HeartbeatReply.AssignedAccount(a.accountId(), a.scriptId()))
                        .toList()
                : null;
        return new HeartbeatReply(leaseExpiresAt, pending, rejected, assigned);
    }

    /** An account that turned dead raises account_dead; one that is online again (a new login) resolves it. */
    private void deathOrRevival(ReportedRow before, ReportedRow after, String nodeId) {
        boolean wasDead = DEAD.contains(before.status());
        if (!wasDead && DEAD.contains(after.status())) {
            alerts.raise(
                    AlertKind.ACCOUNT_DEAD,
                    AlertSeverity.CRITICAL,
                    nodeId,
                    after.accountId(),
                    "account " + after.accountId() + " on " + nodeId + " is " + after.status()
                            + " (reported by its heartbeat); sign it in again");
        } else if (wasDead && "online".equals(after.status())) {
            alerts.resolveOpenForAccount(AlertKind.ACCOUNT_DEAD, after.accountId(), "online again on " + nodeId);
        }
    }

    /** The row as this report leaves it; equal to {@code row} when the report changes nothing. */
    static ReportedRow recorded(ReportedRow row, AccountReport r, String nodeId) {
        if (row.serverId() != null && !row.serverId().equals(nodeId)) {
            return new ReportedRow(
                    row.accountId(),
                    row.serverId(),
                    row.operationId(),
                    row.status(),
                    row.scriptId(),
                    nodeId,
                    row.messageCount(),
                    row.replyCount(),
                    row.lastActivity(),
                    row.groupIds(),
                    row.reportedSessionFile());
        }
        boolean ours = nodeId.equals(row.serverId());
        String status = ours && row.operationId() == null ? r.status() : row.status();
        String scriptId = ours && r.scriptId() != null ? r.scriptId() : row.scriptId();
        return new ReportedRow(
                row.accountId(),
                row.serverId(),
                row.operationId(),
                status,
                scriptId,
                nodeId,
                r.messageCount(),
                r.replyCount(),
                r.lastActivity(),
                AccountRepository.groupIds(r.groupIds()),
                r.sessionFile());
    }

    /**
     * Activity times in whole seconds, a precision every database keeps (Connector/J drops the
     * fraction on MariaDB), so an unchanged report compares equal to its row.
     */
    private static AccountReport normalized(AccountReport r) {
        return r.lastActivity() == null
                ? r
                : new AccountReport(
                        r.accountId(),
                        r.status(),
                        r.scriptId(),
                        r.messageCount(),
                        r.replyCount(),
                        r.lastActivity().truncatedTo(ChronoUnit.SECONDS),
                        r.sessionFile(),
                        r.groupIds());
    }
}
