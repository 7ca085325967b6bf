package io.groupai.fleet.workflows.reconcile;

import io.groupai.fleet.workflows.SearchAttributeKeys;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.util.List;
import org.slf4j.Logger;

/**
 * Pages through the servers in node id order, {@link ReconcileRequest#effectivePageSize()} at a time, and hands
 * each page to a child {@link ReconcileChunkWorkflow} ({@code <id>-page-<n>}), adding its bounded report to the
 * run's. After {@link #PAGES_PER_RUN} pages it continues as new with where it is and the report so far, so no
 * run's history, input or result grows with the fleet: no running list or account row passes through here.
 * The first page also judges what belongs to no server (orphaned operations of rows without a server or a
 * reservation, duplicate rows).
 *
 * <p>A run started before paging replays its original path: everything in one workflow (see
 * {@link #allAtOnce}).
 */
public class ReconcileWorkflowImpl implements ReconcileWorkflow {

    private static final Logger log = Workflow.getLogger(ReconcileWorkflowImpl.class);

    static final String PAGED = "paged-reconcile";

    /** About 12 events per page here: a run of 40 pages stays near 500 events. */
    static final int PAGES_PER_RUN = 40;

    /** Set on the path of runs started before paging; null on the paged path. */
    private ReconcilePass pass;

    private String phase = "listing";
    private int totalServers;
    private ReconcileReport report = ReconcileReports.empty(false);

    @Override
    public ReconcileReport reconcile(ReconcileRequest request) {
        ReconcileRequest r = request == null ? ReconcileRequest.repair() : request;
        // A run started before the reconciliation was paged replays the path it took.
        if (Workflow.getVersion(PAGED, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
            return allAtOnce(r);
        }
        return paged(r);
    }

    private ReconcileReport paged(ReconcileRequest r) {
        String workflowId = Workflow.getInfo().getWorkflowId();
        ReconcileActivities reconcile =
                Workflow.newActivityStub(ReconcileActivities.class, ReconcilePass.CONTROL_PLANE);
        int size = r.effectivePageSize();
        ReconcileContinuation at = r.resume() == null ? new ReconcileContinuation(null, 0, 0, null) : r.resume();
        report = at.report() == null ? ReconcileReports.empty(r.dryRun()) : at.report();
        totalServers = at.totalServers();
        String after = at.afterNodeId();
        int pages = at.pages();
        for (int inRun = 0; ; inRun++) {
            if (inRun == PAGES_PER_RUN) {
                log.info(
                        "reconcile {}: {} pages, {} servers so far; continuing as new",
                        workflowId,
                        pages,
                        report.totals().servers());
                Workflow.continueAsNew(r.resumeAt(new ReconcileContinuation(after, pages, totalServers, report)));
            }
            phase = "listing";
            ServerPage page = reconcile.serverPage(r.serverIds(), after, size);
            totalServers = page.total();
            // The first page runs even without servers: it judges what belongs to none.
            if (page.serverIds().isEmpty() && pages > 0) {
                break;
            }
            phase = "reconciling";
            report = ReconcileReports.merge(report, runPage(workflowId, pages, r.dryRun(), page.serverIds()));
            pages++;
            if (page.serverIds().size() < size) {
                break;
            }
            after = page.serverIds().getLast();
        }
        phase = "done";
        ReconcileTotals t = report.totals();
        log.info(
                "reconcile {}: {} servers in {} pages, {} drifts, {} repaired, {} failed",
                workflowId,
                t.servers(),
                t.pages(),
                t.drifts(),
                t.repaired(),
                t.failed());
        return report;
    }

    static String pageId(String workflowId, int page) {
        return workflowId + "-page-" + page;
    }

    private ReconcileReport runPage(String workflowId, int page, boolean dryRun, List<String> serverIds) {
        String childId = pageId(workflowId, page);
        ChildWorkflowOptions.Builder options = ChildWorkflowOptions.newBuilder().setWorkflowId(childId);
        // Our search attributes only where the app set them on this run (an unregistered one fails the command).
        if (Workflow.getTypedSearchAttributes().containsKey(SearchAttributeKeys.OPERATION)) {
            options.setTypedSearchAttributes(SearchAttributes.newBuilder()
                    .set(
                            SearchAttributeKeys.OPERATION,
                            Workflow.getTypedSearchAttributes().get(SearchAttributeKeys.OPERATION))
                    .set(
                            SearchAttributeKeys.NODE_ID,
                            serverIds.size() <= SearchAttributeKeys.MAX_LISTED ? serverIds : List.of())
                    .build());
        }
        ReconcileChunkWorkflow child = Workflow.newChildWorkflowStub(ReconcileChunkWorkflow.class, options.build());
        try {
            return child.reconcile(new ReconcileChunkRequest(workflowId, page, dryRun, serverIds, page == 0));
        } catch (ChildWorkflowFailure f) {
            // Terminated or timed out: its servers are reported as not compared, the run goes on with the next page.
            String why = "page " + childId + " ended without a result: "
                    + (f.getCause() == null ? f.getMessage() : f.getCause().getMessage());
            log.warn("reconcile {}: {}", workflowId, why);
            List<NodeView> views = serverIds.stream()
                    .map(s -> new NodeView(s, null, NodeView.UNKNOWN, List.of(), null, "server " + s + ": " + why))
                    .toList();
            return ReconcileReports.page(dryRun, views, List.of());
        }
    }

    /** The path of runs started before paging: every server, every row and every view in this one workflow. */
    private ReconcileReport allAtOnce(ReconcileRequest r) {
        pass = ReconcilePass.of(Workflow.getInfo().getWorkflowId());
        ReconcileActivities reconcile = pass.activities();
        List<ServerTarget> targets = reconcile.servers(r.serverIds());
        List<NodeView> views = pass.list(targets);
        pass.phase = "comparing";
        FleetSnapshot snapshot = reconcile.snapshot(ReconcilePass.reportedIds(views), ReconcilePass.dirIds(views));
        List<Drift> detected = DriftDetector.detect(views, snapshot);
        List<RepairOutcome> outcomes = pass.resolve(views, snapshot, detected, r.dryRun());
        return new ReconcileReport(r.dryRun(), views, outcomes, ReconcileReports.totals(views, outcomes));
    }

    @Override
    public ReconcileProgress progress() {
        if (pass != null) {
            return pass.progress();
        }
        ReconcileTotals t = report.totals();
        return new ReconcileProgress(phase, t.servers(), t.drifts(), t.repaired(), t.failed(), totalServers, t.pages());
    }
}
