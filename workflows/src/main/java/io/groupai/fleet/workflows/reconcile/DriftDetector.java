package io.groupai.fleet.workflows.reconcile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides, from what the nodes said and the database's snapshot, every drift and its action. Pure
 * and deterministic (sorted iteration only), so the workflow can run it and tests can call it.
 *
 * <p>Rules, in the order their actions run:
 * <ol>
 *   <li><b>Orphaned operation</b> (operation_id set, its workflow gone, closed, or running longer than
 *       the bound): running on its server → FINISH; an allocation not running → RELEASE, or MARK_FAILED
 *       when its node said nothing (it may run there); a migration before its switch → ABORT_MIGRATION
 *       (back to the source); after its switch → FINISH if the target runs it, else SETTLE_OFFLINE.</li>
 *   <li><b>Running on a node it is not assigned to</b>: DOUBLE_RUN when its assigned server runs it too
 *       (stop the other at once, alert), else RUNNING_UNASSIGNED (stop it there, alert; the assigned
 *       server, if any, restarts it under rule 3).</li>
 *   <li><b>Assigned but not reported</b> by a server whose agent answered and that is active or draining: RESTART, or
 *       MARK_FAILED once the restarts reach the bound.</li>
 *   <li><b>Orphan session directory</b>: REMOVE_DIR only when the session store holds a copy at least
 *       as new (the same archive, or a newer one, and nothing newer unpacked beside it); else KEEP_DIR.
 *       The directory of an unknown account is never removed (the store has no copy).</li>
 *   <li><b>Duplicate rows</b> (one Telegram user id, several account ids): MERGE, reported.</li>
 * </ol>
 * Rows a live operation holds within the bound are left alone by every rule.
 *
 * <p>A page of a paged run passes its {@link Scope}: rules 1 and 3 then judge only the rows it owns (placed,
 * or else reserved, on one of its servers; the first page also owns the rows with neither), rule 5 runs on the
 * first page only, and rule 2 asks the latest heartbeat of an assigned server in another page whether it runs
 * the account too. Without a scope every row is judged, as by a run over the whole fleet.
 */
public final class DriftDetector {

    /** Servers whose assigned accounts are expected to run (a draining one still runs its accounts until moved). */
    private static final Set<String> EXPECTED_TO_RUN = Set.of("active", "draining");

    private static final String MIGRATING = "migrating";
    private static final String FAILED = "failed";

    private DriftDetector() {}

    /**
     * What one page of a paged run judges.
     *
     * @param servers   the page's servers: it owns the rows placed on them, and those reserved on them without a server
     * @param global    it also owns the rows with neither server nor reservation, and judges duplicate rows
     * @param runsThere accounts its nodes run whose assigned server (in another page) runs them too, per that
     *                  server's latest heartbeat
     */
    public record Scope(Set<String> servers, boolean global, Set<String> runsThere) {

        boolean owns(AccountRow row) {
            String owner = row.serverId() != null ? row.serverId() : row.reservedServerId();
            return owner == null ? global : servers.contains(owner);
        }
    }

    public static List<Drift> detect(List<NodeView> views, FleetSnapshot snapshot) {
        return detect(views, snapshot, null);
    }

    /**
     * The accounts these nodes run that are assigned to a server outside {@code owned} (and not held by a live
     * operation), with that server: rule 2 needs to know whether it runs them too.
     */
    public static List<AssignedServer> assignedElsewhere(
            List<NodeView> views, FleetSnapshot snapshot, Set<String> owned) {
        Map<String, AccountRow> rows = new HashMap<>();
        snapshot.accounts().forEach(r -> rows.put(r.accountId(), r));
        Set<String> seen = new TreeSet<>();
        views.forEach(v -> seen.addAll(v.running()));
        List<AssignedServer> out = new ArrayList<>();
        for (String account : seen) {
            AccountRow row = rows.get(account);
            if (row != null && !row.inFlight() && row.serverId() != null && !owned.contains(row.serverId())) {
                out.add(new AssignedServer(account, row.serverId()));
            }
        }
        return out;
    }

    public static List<Drift> detect(List<NodeView> views, FleetSnapshot snapshot, Scope scope) {
        Map<String, NodeView> viewBy = new TreeMap<>();
        views.forEach(v -> viewBy.put(v.serverId(), v));
        Map<String, AccountRow> rows = new TreeMap<>();
        snapshot.accounts().forEach(r -> rows.put(r.accountId(), r));
        Map<String, TreeSet<String>> runningOn = new TreeMap<>();
        for (NodeView view : viewBy.values()) {
            for (String accountId : view.running()) {
                runningOn.computeIfAbsent(accountId, k -> new TreeSet<>()).add(view.serverId());
            }
        }
        Set<String> inFlight = new HashSet<>();
        // The server each account is on once its orphaned operation is settled, and whether it ends failed.
        Map<String, String> effective = new HashMap<>();
        Set<String> failed = new HashSet<>();
        for (AccountRow row : rows.values()) {
            if (row.inFlight()) {
                inFlight.add(row.accountId());
            } else if (row.serverId() != null) {
                effective.put(row.accountId(), row.serverId());
                if (FAILED.equals(row.status())) {
                    failed.add(row.accountId());
                }
            }
        }
        List<Drift> drifts = new ArrayList<>();

        // 1. orphaned operations
        for (AccountRow row : rows.values()) {
            if (row.operationId() == null
                    || inFlight.contains(row.accountId())
                    // Another page judges it: there, its server's node has been asked.
                    || (scope != null && !scope.owns(row))) {
                continue;
            }
            String account = row.accountId();
            String server = row.serverId();
            String why = orphanReason(row);
            boolean runsThere = server != null && runs(runningOn, account, server);
            boolean serverAnswered = server != null && answered(viewBy, server);
            RepairAction action;
            String then;
            if (MIGRATING.equals(row.status()) && row.reservedServerId() != null) {
                action = RepairAction.ABORT_MIGRATION;
                then = "back on its source " + server + ", reservation on " + row.reservedServerId() + " dropped";
            } else if (server == null) {
                action = RepairAction.RELEASE;
                then = "claim cleared";
            } else if (runsThere) {
                action = RepairAction.FINISH;
                then = server + " runs it: finished there";
            } else if (MIGRATING.equals(row.status())) {
                action = RepairAction.SETTLE_OFFLINE;
                then = "kept on " + server + " (switched already), to be restarted there";
            } else if (!serverAnswered) {
                action = RepairAction.MARK_FAILED;
                then = server + " did not say what it runs, so it may run there: kept on " + server + " marked failed";
                failed.add(account);
            } else {
                action = RepairAction.RELEASE;
                then = server + " does not run it: claim released, the account is unassigned again";
                effective.remove(account);
            }
            drifts.add(new Drift(
                    DriftKind.ORPHANED_OPERATION,
                    account,
                    server,
                    row.reservedServerId(),
                    row.operationId(),
                    null,
                    row.scriptId(),
                    action,
                    false,
                    "account " + account + " " + row.status() + " on " + (server == null ? "(no server)" : server)
                            + ": " + why + "; " + then));
        }

        // 2. running where it is not assigned
        for (Map.Entry<String, TreeSet<String>> e : runningOn.entrySet()) {
            String account = e.getKey();
            if (inFlight.contains(account)) {
                continue;
            }
            String assigned = effective.get(account);
            // An assigned server of another page was not asked here: its latest heartbeat says whether it runs it.
            boolean assignedElsewhere =
                    scope != null && assigned != null && !scope.servers().contains(assigned);
            boolean assignedRuns = assigned != null
                    && (assignedElsewhere
                            ? scope.runsThere().contains(account)
                            : e.getValue().contains(assigned));
            for (String node : e.getValue()) {
                if (node.equals(assigned)) {
                    continue;
                }
                AccountRow row = rows.get(account);
                if (assignedRuns) {
                    drifts.add(new Drift(
                            DriftKind.DOUBLE_RUN,
                            account,
                            node,
                            assigned,
                            null,
                            null,
                            null,
                            RepairAction.STOP,
                            true,
                            "account " + account + " runs on " + node + " AND on its assigned server " + assigned
                                    + (assignedElsewhere ? " (per its latest heartbeat)" : "")
                                    + ": stopped on " + node + " at once, kept on " + assigned));
                } else {
                    String whose = row == null
                            ? "is unknown to the database"
                            : assigned == null
                                    ? "is assigned to no server"
                                    : assignedElsewhere
                                            ? "is assigned to " + assigned + ", whose latest heartbeat does not list"
                                                    + " it (" + assigned + " is compared, and the account restarted"
                                                    + " there if need be, in its own page of this run)"
                                            : "is assigned to " + assigned
                                                    + ", which does not run it (restarted there)";
                    drifts.add(new Drift(
                            DriftKind.RUNNING_UNASSIGNED,
                            account,
                            node,
                            assigned,
                            null,
                            null,
                            null,
                            RepairAction.STOP,
                            true,
                            "account " + account + " runs on " + node + " but " + whose + ": stopped on " + node));
                }
            }
        }

        // 3. assigned, expected to run, not reported
        for (Map.Entry<String, String> e : new TreeMap<>(effective).entrySet()) {
            String account = e.getKey();
            String server = e.getValue();
            NodeView view = viewBy.get(server);
            if (failed.contains(account)
                    || view == null
                    || (scope != null && !scope.servers().contains(server))
                    // Only a node whose agent answers can be restarted through its queue; one known from its heartbeat
                    // alone is the node supervisor's (a restarting agent, a dead node), not a restart loop's.
                    || !NodeView.FROM_NODE.equals(view.source())
                    || !EXPECTED_TO_RUN.contains(view.status())
                    || runs(runningOn, account, server)) {
                continue;
            }
            AccountRow row = rows.get(account);
            boolean exhausted = row.restartAttempts() >= snapshot.maxRestarts();
            drifts.add(new Drift(
                    DriftKind.NOT_RUNNING,
                    account,
                    server,
                    null,
                    null,
                    null,
                    row.scriptId(),
                    exhausted ? RepairAction.MARK_FAILED : RepairAction.RESTART,
                    exhausted,
                    "account " + account + " is assigned to " + server + " but " + server + " ("
                            + view.source() + ") does not run it; "
                            + (exhausted
                                    ? "not running after " + row.restartAttempts() + " restarts: marked failed"
                                    : "restart " + (row.restartAttempts() + 1) + " of " + snapshot.maxRestarts())));
        }

        // 4. orphan session directories
        for (NodeView view : viewBy.values()) {
            if (view.sessionDirs() == null) {
                continue;
            }
            for (SessionDir dir : view.sessionDirs().stream()
                    .sorted(Comparator.comparing(SessionDir::accountId))
                    .toList()) {
                String account = dir.accountId();
                String server = view.serverId();
                AccountRow row = rows.get(account);
                if (inFlight.contains(account)
                        || server.equals(effective.get(account))
                        || (row != null && server.equals(row.reservedServerId()))
                        || runs(runningOn, account, server)) {
                    continue;
                }
                String whose = row == null
                        ? "an unknown account"
                        : effective.get(account) == null
                                ? "an account assigned to no server"
                                : "an account assigned to " + effective.get(account);
                String unsafe = unsafe(row, dir);
                drifts.add(new Drift(
                        DriftKind.ORPHAN_SESSION_DIR,
                        account,
                        server,
                        effective.get(account),
                        null,
                        null,
                        null,
                        unsafe == null ? RepairAction.REMOVE_DIR : RepairAction.KEEP_DIR,
                        false,
                        "session directory of " + whose + " (" + account + ") on " + server + ": "
                                + (unsafe == null
                                        ? "the session store holds a copy at least as new, removed"
                                        : "kept, " + unsafe)));
            }
        }

        // 5. duplicate rows (a paged run: on its first page only)
        for (DuplicateGroup group : (scope != null && !scope.global()
                        ? List.<DuplicateGroup>of()
                        : snapshot.duplicates())
                .stream()
                        .sorted(Comparator.comparingLong(DuplicateGroup::telegramUserId))
                        .toList()) {
            String keep = keeper(group, rows);
            for (String account : group.accountIds().stream().sorted().toList()) {
                if (account.equals(keep)) {
                    continue;
                }
                AccountRow row = rows.get(account);
                String server = row == null ? null : row.serverId();
                drifts.add(new Drift(
                        DriftKind.DUPLICATE_ACCOUNT,
                        account,
                        server,
                        rows.get(keep) == null ? null : rows.get(keep).serverId(),
                        null,
                        keep,
                        null,
                        RepairAction.MERGE,
                        false,
                        "accounts " + keep + " and " + account + " are the same Telegram user "
                                + group.telegramUserId() + ": keep " + keep + "; merge " + account + " into it: "
                                + (server == null
                                        ? "DELETE /api/v1/group-ai/accounts/" + account
                                        : "it is placed on " + server
                                                + " — stop it there, then DELETE /api/v1/group-ai/accounts/" + account
                                                + " once it is unassigned")));
            }
        }
        return drifts;
    }

    /** The row to keep: a placed one before an unplaced one, then the smaller id. */
    private static String keeper(DuplicateGroup group, Map<String, AccountRow> rows) {
        return group.accountIds().stream()
                .sorted(Comparator.<String, Boolean>comparing(
                                id -> rows.get(id) == null || rows.get(id).serverId() == null)
                        .thenComparing(Comparator.naturalOrder()))
                .findFirst()
                .orElseThrow();
    }

    private static String orphanReason(AccountRow row) {
        if (AccountRow.RUNNING.equals(row.operationState())) {
            return "operation " + row.operationId() + " has held it longer than the configured bound";
        }
        if (AccountRow.NOT_FOUND.equals(row.operationState()) || row.operationState() == null) {
            return "operation " + row.operationId() + " no longer exists in Temporal";
        }
        return "operation " + row.operationId() + " has closed (" + row.operationState() + ") without settling it";
    }

    /** Null when the store holds a copy at least as new as everything in the directory, else why not. */
    private static String unsafe(AccountRow row, SessionDir dir) {
        if (row == null || row.storedSha256() == null || row.storedMillis() == null) {
            return "the session store has no copy of this session (it may be the only one)";
        }
        long stored = row.storedMillis();
        if (dir.otherNewestMillis() != null && dir.otherNewestMillis() > stored) {
            return "it holds files newer than the session store's copy";
        }
        if (dir.archiveSha256() != null
                && !dir.archiveSha256().equals(row.storedSha256())
                && dir.archiveMillis() != null
                && dir.archiveMillis() > stored) {
            return "its session archive differs from, and is newer than, the session store's copy";
        }
        return null;
    }

    private static boolean runs(Map<String, TreeSet<String>> runningOn, String account, String server) {
        TreeSet<String> nodes = runningOn.get(account);
        return nodes != null && nodes.contains(server);
    }

    private static boolean answered(Map<String, NodeView> views, String server) {
        NodeView view = views.get(server);
        return view != null && view.reported();
    }
}
