package io.groupai.fleet.reconcile;

import io.groupai.fleet.alerts.AlertKind;
import io.groupai.fleet.alerts.AlertService;
import io.groupai.fleet.alerts.AlertSeverity;
import io.groupai.fleet.allocation.AllocationRefusedException;
import io.groupai.fleet.heartbeats.HeartbeatProperties;
import io.groupai.fleet.nodes.NodeTargets;
import io.groupai.fleet.nodes.SshFailures;
import io.groupai.fleet.nodes.ssh.CommandResult;
import io.groupai.fleet.nodes.ssh.RemoteShell;
import io.groupai.fleet.nodes.ssh.ShellQuote;
import io.groupai.fleet.nodes.ssh.SshException;
import io.groupai.fleet.nodes.ssh.SshTarget;
import io.groupai.fleet.registry.NotFoundException;
import io.groupai.fleet.registry.ServerRecord;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.sessions.SessionStore;
import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.reconcile.AccountCheck;
import io.groupai.fleet.workflows.reconcile.AccountRow;
import io.groupai.fleet.workflows.reconcile.AssignedServer;
import io.groupai.fleet.workflows.reconcile.Drift;
import io.groupai.fleet.workflows.reconcile.DuplicateGroup;
import io.groupai.fleet.workflows.reconcile.FleetSnapshot;
import io.groupai.fleet.workflows.reconcile.ReconcileActivities;
import io.groupai.fleet.workflows.reconcile.RepairAction;
import io.groupai.fleet.workflows.reconcile.ServerPage;
import io.groupai.fleet.workflows.reconcile.ServerTarget;
import io.groupai.fleet.workflows.reconcile.SessionDir;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Control-plane side of {@link io.groupai.fleet.workflows.reconcile.ReconcileWorkflow}. */
@Component("reconcileActivities")
public class ReconcileActivitiesImpl implements ReconcileActivities {

    private static final Logger log = LoggerFactory.getLogger(ReconcileActivitiesImpl.class);
    private static final Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9_+-]{1,64}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /**
     * One line per session directory: "dir ID ARCHIVE_SHA256|- ARCHIVE_MTIME|- OTHER_NEWEST_MTIME|-"
     * (mtimes in seconds with fractions, GNU find's %T@). Names are not trusted: the control plane checks them.
     */
    private static final String LIST_SCRIPT = """
            cd "$1" 2>/dev/null || exit 0
            for d in */; do
              d=${d%/}
              [ -d "$d" ] && [ ! -L "$d" ] || continue
              a=- s=-
              if [ -f "$d/session.zip" ]; then
                s=$(sha256sum "$d/session.zip" | cut -d' ' -f1)
                a=$(find "$d/session.zip" -maxdepth 0 -printf '%T@')
              fi
              o=$(find "$d" -type f ! -path "$d/session.zip" -printf '%T@\\n' 2>/dev/null | sort -n | tail -n 1)
              echo "dir $d $s $a ${o:--}"
            done
            """;

    private final ServerRepository servers;
    private final ReconcileStore store;
    private final NodeReports nodeReports;
    private final OperationStates operations;
    private final SessionStore sessions;
    private final RemoteShell shell;
    private final NodeTargets targets;
    private final ReconcileProperties properties;
    private final HeartbeatProperties heartbeat;
    private final AlertService alerts;
    private final Clock clock;

    public ReconcileActivitiesImpl(
            ServerRepository servers,
            ReconcileStore store,
            NodeReports nodeReports,
            OperationStates operations,
            SessionStore sessions,
            RemoteShell shell,
            NodeTargets targets,
            ReconcileProperties properties,
            HeartbeatProperties heartbeat,
            AlertService alerts,
            Clock clock) {
        this.servers = servers;
        this.store = store;
        this.nodeReports = nodeReports;
        this.operations = operations;
        this.sessions = sessions;
        this.shell = shell;
        this.targets = targets;
        this.properties = properties;
        this.heartbeat = heartbeat;
        this.alerts = alerts;
        this.clock = clock;
    }

    @Override
    public List<ServerTarget> servers(List<String> serverIds) {
        Instant freshAfter = clock.instant().minus(heartbeat.leaseTtl());
        boolean all = serverIds == null || serverIds.isEmpty();
        // A page asks for its own servers only: their rows and heartbeats, not the fleet's.
        List<ServerRecord> records = all ? servers.findAll() : servers.findAll(new TreeSet<>(serverIds));
        Map<String, NodeReports.Report> reports = all ? null : nodeReports.findAll(new TreeSet<>(serverIds));
        List<ServerTarget> result = new ArrayList<>();
        for (ServerRecord server : records) {
            Optional<NodeReports.Report> report =
                    all ? nodeReports.find(server.nodeId()) : Optional.ofNullable(reports.get(server.nodeId()));
            List<String> reported = report.filter(r -> r.reportedAt().isAfter(freshAfter))
                    .map(NodeReports.Report::running)
                    .orElse(null);
            result.add(new ServerTarget(server.nodeId(), server.status().wireName(), reported));
        }
        return result;
    }

    @Override
    public ServerPage serverPage(List<String> serverIds, String afterNodeId, int limit) {
        return new ServerPage(
                servers.nodeIdsAfter(serverIds, afterNodeId, Math.max(1, limit)), servers.count(serverIds));
    }

    @Override
    public List<String> heartbeatListed(List<AssignedServer> accounts) {
        Instant freshAfter = clock.instant().minus(heartbeat.leaseTtl());
        Map<String, NodeReports.Report> reports = nodeReports.findAll(
                new TreeSet<>(accounts.stream().map(AssignedServer::serverId).toList()));
        Map<String, Set<String>> running = new HashMap<>();
        reports.forEach((node, r) -> {
            if (r.reportedAt().isAfter(freshAfter)) {
                running.put(node, new HashSet<>(r.running()));
            }
        });
        return accounts.stream()
                .filter(a -> running.getOrDefault(a.serverId(), Set.of()).contains(a.accountId()))
                .map(AssignedServer::accountId)
                .distinct()
                .sorted()
                .toList();
    }

    @Override
    public List<SessionDir> sessionDirs(String serverId) {
        SshTarget target;
        try {
            target = targets.of(serverId);
        } catch (NotFoundException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureTypes.SERVER_NOT_ELIGIBLE);
        }
        CommandResult result;
        try {
            result = shell.execChecked(
                    target,
                    "list session directories",
                    "sh -c " + ShellQuote.quote(LIST_SCRIPT) + " list " + ShellQuote.quote(target.sessionsDir()),
                    Duration.ofSeconds(60));
        } catch (SshException e) {
            throw SshFailures.toTemporal(e);
        }
        List<SessionDir> dirs = new ArrayList<>();
        for (String line : result.stdout().split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length != 5 || !"dir".equals(f[0])) {
                continue;
            }
            if (!ACCOUNT_ID.matcher(f[1]).matches()) {
                log.warn("server {}: session directory {} is not named after an account; left alone", serverId, f[1]);
                continue;
            }
            dirs.add(new SessionDir(f[1], SHA256.matcher(f[2]).matches() ? f[2] : null, millis(f[3]), millis(f[4])));
        }
        return dirs;
    }

    @Override
    public FleetSnapshot snapshot(List<String> reportedIds, List<String> dirAccountIds) {
        TreeSet<String> ids = new TreeSet<>(reportedIds);
        ids.addAll(dirAccountIds);
        return snapshotOf(store.rows(ids), dirAccountIds, store.duplicates());
    }

    @Override
    public FleetSnapshot pageSnapshot(
            List<String> serverIds, List<String> reportedIds, Map<String, List<String>> dirsByServer, boolean global) {
        Map<String, ReconcileStore.Row> rows = store.rowsOnServers(serverIds);
        List<DuplicateGroup> duplicates = List.of();
        TreeSet<String> others = new TreeSet<>(reportedIds);
        dirsByServer.values().forEach(others::addAll);
        if (global) {
            store.heldWithoutServer().forEach(rows::putIfAbsent);
            duplicates = store.duplicates();
            // Which row of a group to keep depends on which is placed, wherever that is.
            duplicates.forEach(g -> others.addAll(g.accountIds()));
        }
        others.removeAll(rows.keySet());
        rows.putAll(store.rowsOf(others));
        // The stored copy matters only for a directory that may be an orphan.
        List<String> mayBeOrphans = new ArrayList<>();
        dirsByServer.forEach((server, ids) -> ids.forEach(id -> {
            ReconcileStore.Row row = rows.get(id);
            if (row != null && (!server.equals(row.serverId()) || row.operationId() != null)) {
                mayBeOrphans.add(id);
            }
        }));
        return snapshotOf(rows, mayBeOrphans, duplicates);
    }

    private FleetSnapshot snapshotOf(
            Map<String, ReconcileStore.Row> rows, List<String> dirAccountIds, List<DuplicateGroup> duplicates) {
        Instant now = clock.instant();
        Map<String, OperationStates.State> states = new HashMap<>();
        List<AccountRow> accounts = new ArrayList<>();
        TreeSet<String> withDirs = new TreeSet<>(dirAccountIds);
        for (ReconcileStore.Row row : new TreeMap<>(rows).values()) {
            OperationStates.State state =
                    row.operationId() == null ? null : states.computeIfAbsent(row.operationId(), operations::of);
            boolean stale = state != null
                    && AccountRow.RUNNING.equals(state.status())
                    && state.startedAt() != null
                    && state.startedAt().plus(properties.maxOperationAge()).isBefore(now);
            String storedSha = null;
            Long storedMillis = null;
            if (withDirs.contains(row.accountId())) {
                try {
                    // The plaintext's checksum and stored time, as recorded at store time (nothing decrypted).
                    Optional<SessionStore.ArchiveInfo> archive = sessions.info(row.accountId());
                    if (archive.isPresent()) {
                        storedSha = archive.get().sha256();
                        storedMillis = archive.get().storedAt().toEpochMilli();
                    }
                } catch (java.io.UncheckedIOException e) {
                    log.warn("account {}: cannot read the stored session: {}", row.accountId(), e.toString());
                }
            }
            accounts.add(new AccountRow(
                    row.accountId(),
                    row.serverId(),
                    row.reservedServerId(),
                    row.status(),
                    row.scriptId(),
                    row.operationId(),
                    state == null ? null : state.status(),
                    stale,
                    row.restartAttempts(),
                    storedSha,
                    storedMillis,
                    row.sourceNode() == null || row.sourceNode().equals(row.serverId()) ? null : row.sourceNode()));
        }
        return new FleetSnapshot(accounts, duplicates, properties.maxRestarts());
    }

    @Override
    public List<AccountCheck> recheck(List<String> accountIds) {
        Map<String, ReconcileStore.Row> rows = store.rowsOf(accountIds);
        List<AccountCheck> checks = new ArrayList<>();
        for (String id : new TreeSet<>(accountIds)) {
            ReconcileStore.Row r = rows.get(id);
            AccountRow row = r == null
                    ? null
                    : new AccountRow(
                            r.accountId(),
                            r.serverId(),
                            r.reservedServerId(),
                            r.status(),
                            r.scriptId(),
                            r.operationId(),
                            null,
                            false,
                            r.restartAttempts(),
                            null,
                            null);
            String workflowId = WorkflowIds.account(id);
            boolean running =
                    AccountRow.RUNNING.equals(operations.of(workflowId).status());
            checks.add(new AccountCheck(id, row, running ? workflowId : null));
        }
        return checks;
    }

    @Override
    public void settle(String accountId, String serverId, String operationId, RepairAction action, String reason) {
        refusals(() -> store.settle(accountId, serverId, operationId, action, reason));
    }

    @Override
    public int restartAttempt(String accountId, String serverId) {
        notWhileAWorkflowRuns(accountId, serverId, "restarted");
        return refusals(() -> store.restartAttempt(accountId, serverId));
    }

    @Override
    public void markFailed(String accountId, String serverId, String reason) {
        notWhileAWorkflowRuns(accountId, serverId, "marked failed");
        refusals(() -> store.markFailed(accountId, serverId, reason));
    }

    /**
     * A workflow that started for the account after the reconciler checked it (a backup or restore stops it for a
     * while without taking the row) owns it: the reconciler's restart or failure mark would cut across it.
     */
    private void notWhileAWorkflowRuns(String accountId, String serverId, String what) {
        String workflowId = WorkflowIds.account(accountId);
        if (AccountRow.RUNNING.equals(operations.of(workflowId).status())) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "account " + accountId + " on server " + serverId + ": workflow " + workflowId
                            + " runs for it; not " + what,
                    FailureTypes.CLAIM_LOST);
        }
    }

    @Override
    public void confirmRunning(List<String> accountIds) {
        store.confirmRunning(accountIds);
    }

    @Override
    public void record(String workflowId, Drift drift, String outcome, String detail) {
        store.record(workflowId, drift, outcome, detail);
        if (drift.alert()) {
            alerts.raise(
                    AlertKind.DRIFT_FOUND,
                    AlertSeverity.WARNING,
                    drift.serverId(),
                    drift.accountId(),
                    drift.kind() + ": " + drift.detail() + " (" + drift.action() + " " + outcome
                            + (detail == null ? "" : ": " + detail) + ", " + workflowId + ")");
            log.warn(
                    "ALERT reconcile {} {}: {} ({} {}{})",
                    drift.kind(),
                    workflowId,
                    drift.detail(),
                    drift.action(),
                    outcome,
                    detail == null ? "" : ": " + detail);
        } else {
            log.info(
                    "reconcile {} {}: {} ({} {}{})",
                    drift.kind(),
                    workflowId,
                    drift.detail(),
                    drift.action(),
                    outcome,
                    detail == null ? "" : ": " + detail);
        }
    }

    private static Long millis(String field) {
        if ("-".equals(field)) {
            return null;
        }
        try {
            return Math.round(Double.parseDouble(field) * 1000);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void refusals(Runnable work) {
        refusals(() -> {
            work.run();
            return null;
        });
    }

    private static <T> T refusals(Supplier<T> work) {
        try {
            return work.get();
        } catch (AllocationRefusedException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), e.code());
        }
    }
}
