package io.groupai.fleet.workflows.reconcile;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One page of a reconciliation: what the whole run did before it was paged, for these servers only. Its
 * snapshot holds the rows placed or reserved on its servers, the rows of the accounts its nodes run or hold
 * directories of, and (first page) the rows that belong to no server and the duplicates; the detector judges
 * orphaned operations and missing accounts only on rows this page owns (see {@link DriftDetector.Scope}).
 */
public class ReconcileChunkWorkflowImpl implements ReconcileChunkWorkflow {

    private ReconcilePass pass;

    @Override
    public ReconcileReport reconcile(ReconcileChunkRequest request) {
        // Its repairs and alerts are the run's: recorded under the run's id, as before paging.
        pass = ReconcilePass.of(request.parentWorkflowId());
        ReconcileActivities reconcile = pass.activities();
        List<String> serverIds = request.serverIds();
        // Never an empty list: the activity reads that as "every server".
        List<ServerTarget> targets = serverIds.isEmpty() ? List.of() : reconcile.servers(serverIds);
        List<NodeView> views = pass.list(targets);
        pass.phase = "comparing";
        FleetSnapshot snapshot = reconcile.pageSnapshot(
                serverIds, ReconcilePass.reportedIds(views), ReconcilePass.dirsByServer(views), request.global());
        Set<String> owned = new HashSet<>(serverIds);
        // An account one of these nodes runs, assigned to a server of another page: does that server run it too?
        List<AssignedServer> elsewhere = DriftDetector.assignedElsewhere(views, snapshot, owned);
        Set<String> runsThere = elsewhere.isEmpty() ? Set.of() : new HashSet<>(reconcile.heartbeatListed(elsewhere));
        List<Drift> detected =
                DriftDetector.detect(views, snapshot, new DriftDetector.Scope(owned, request.global(), runsThere));
        List<RepairOutcome> outcomes = pass.resolve(
                views, snapshot, detected, request.dryRun(), heldBack(reconcile, snapshot, detected, owned));
        return ReconcileReports.page(request.dryRun(), views, outcomes);
    }

    /**
     * Restarts not to do now: the account's latest report came from a server of another page whose heartbeat
     * still lists it. A run over one page stops it there before restarting it here (rule 2 before rule 3); across
     * pages that order is lost when this page comes first, and a Telegram session must never run twice. That
     * page stops it; the next run restarts it here.
     */
    private static Map<Drift, String> heldBack(
            ReconcileActivities reconcile, FleetSnapshot snapshot, List<Drift> drifts, Set<String> owned) {
        Map<String, AccountRow> rows = new HashMap<>();
        snapshot.accounts().forEach(r -> rows.put(r.accountId(), r));
        Map<Drift, AssignedServer> maybeElsewhere = new LinkedHashMap<>();
        for (Drift d : drifts) {
            AccountRow row = rows.get(d.accountId());
            if (d.action() == RepairAction.RESTART
                    && row != null
                    && row.reportedBy() != null
                    && !owned.contains(row.reportedBy())) {
                maybeElsewhere.put(d, new AssignedServer(d.accountId(), row.reportedBy()));
            }
        }
        if (maybeElsewhere.isEmpty()) {
            return Map.of();
        }
        Set<String> listed = new HashSet<>(reconcile.heartbeatListed(List.copyOf(maybeElsewhere.values())));
        Map<Drift, String> held = new HashMap<>();
        maybeElsewhere.forEach((d, there) -> {
            if (listed.contains(d.accountId())) {
                held.put(
                        d,
                        "not restarted on " + d.serverId() + ": the latest heartbeat of " + there.serverId()
                                + " (another page of this run, which stops it there) lists it running; the next run"
                                + " restarts it here");
            }
        });
        return held;
    }

    @Override
    public ReconcileProgress progress() {
        return pass == null ? new ReconcileProgress("listing", 0, 0, 0, 0, 0, 0) : pass.progress();
    }
}
