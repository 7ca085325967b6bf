package io.groupai.fleet.workflows.reconcile;

import java.util.HashSet;
import java.util.List;
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
                serverIds, ReconcilePass.reportedIds(views), ReconcilePass.dirIds(views), request.global());
        Set<String> owned = new HashSet<>(serverIds);
        // An account one of these nodes runs, assigned to a server of another page: does that server run it too?
        List<AssignedServer> elsewhere = DriftDetector.assignedElsewhere(views, snapshot, owned);
        Set<String> runsThere = elsewhere.isEmpty() ? Set.of() : new HashSet<>(reconcile.heartbeatListed(elsewhere));
        List<Drift> detected =
                DriftDetector.detect(views, snapshot, new DriftDetector.Scope(owned, request.global(), runsThere));
        List<RepairOutcome> outcomes = pass.resolve(views, snapshot, detected, request.dryRun());
        return ReconcileReports.page(request.dryRun(), views, outcomes);
    }

    @Override
    public ReconcileProgress progress() {
        return pass == null ? new ReconcileProgress("listing", 0, 0, 0, 0, 0, 0) : pass.progress();
    }
}
