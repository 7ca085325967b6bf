package io.groupai.fleet.workflows.reconcile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds and adds up the bounded reports of a paged reconciliation. A report counts everything in its
 * {@link ReconcileTotals} but lists at most {@link #MAX_OUTCOMES} drift outcomes (when it must leave some out,
 * the failed ones first, then the repaired, then the rest) and at most {@link #MAX_NODES} servers, only those
 * with a problem or a drift, each with at most {@link #MAX_LISTED} running ids and session directories, and
 * texts cut at {@link #MAX_TEXT} characters. At 10,000 servers a complete report would be some 200 MB; this one
 * stays near 1.5 MB however bad the fleet (ReconcileReportsTest measures the worst), under Temporal's 2 MB
 * payload limit. Pure and deterministic: workflow code calls it.
 */
public final class ReconcileReports {

    public static final int MAX_OUTCOMES = 1000;
    public static final int MAX_NODES = 50;
    public static final int MAX_LISTED = 50;
    /** A drift's and an outcome's text in a report (the history keeps 1,000 characters): a node's error can be long. */
    public static final int MAX_TEXT = 400;

    /** Which outcomes a capped list keeps first: what went wrong, what was done, then what is only planned. */
    private static final List<String> PRIORITY = List.of(
            RepairOutcome.FAILED,
            RepairOutcome.DONE,
            RepairOutcome.SKIPPED,
            RepairOutcome.PLANNED,
            RepairOutcome.REPORTED,
            RepairOutcome.CHANGED);

    private ReconcileReports() {}

    public static ReconcileReport empty(boolean dryRun) {
        return new ReconcileReport(dryRun, List.of(), List.of(), ReconcileTotals.NONE);
    }

    /** The report of one page: its counts, and the servers that had a problem or a drift. */
    public static ReconcileReport page(boolean dryRun, List<NodeView> views, List<RepairOutcome> outcomes) {
        Set<String> involved = new HashSet<>();
        for (RepairOutcome o : outcomes) {
            involved.add(o.drift().serverId());
            involved.add(o.drift().otherServerId());
        }
        List<NodeView> nodes = views.stream()
                .filter(v -> v.problem() != null || involved.contains(v.serverId()))
                .toList();
        return capped(new ReconcileReport(dryRun, nodes, outcomes, totals(views, outcomes)));
    }

    /** Counts of a page (or of a whole unpaged run). */
    public static ReconcileTotals totals(List<NodeView> views, List<RepairOutcome> outcomes) {
        Map<String, Map<String, Integer>> byKind = new TreeMap<>();
        int drifts = 0;
        int repaired = 0;
        int failed = 0;
        for (RepairOutcome o : outcomes) {
            byKind.computeIfAbsent(o.drift().kind().name(), k -> new TreeMap<>())
                    .merge(o.outcome(), 1, Integer::sum);
            drifts += RepairOutcome.CHANGED.equals(o.outcome()) ? 0 : 1;
            repaired += RepairOutcome.DONE.equals(o.outcome()) ? 1 : 0;
            failed += RepairOutcome.FAILED.equals(o.outcome()) ? 1 : 0;
        }
        return new ReconcileTotals(
                1,
                views.size(),
                (int) views.stream()
                        .filter(v -> NodeView.FROM_NODE.equals(v.source()))
                        .count(),
                (int) views.stream()
                        .filter(v -> NodeView.FROM_HEARTBEAT.equals(v.source()))
                        .count(),
                (int) views.stream().filter(v -> !v.reported()).count(),
                drifts,
                repaired,
                failed,
                byKind,
                0,
                0);
    }

    /** Both reports in one (the earlier first), capped. */
    public static ReconcileReport merge(ReconcileReport so, ReconcileReport page) {
        List<NodeView> nodes = new ArrayList<>(so.nodes());
        nodes.addAll(page.nodes());
        List<RepairOutcome> drifts = new ArrayList<>(so.drifts());
        drifts.addAll(page.drifts());
        return capped(
                new ReconcileReport(so.dryRun(), nodes, drifts, so.totals().plus(page.totals())));
    }

    static ReconcileReport capped(ReconcileReport r) {
        List<NodeView> nodes = r.nodes().stream()
                .limit(MAX_NODES)
                .map(ReconcileReports::trimmed)
                .toList();
        List<RepairOutcome> drifts = r.drifts();
        if (drifts.size() > MAX_OUTCOMES) {
            drifts = drifts.stream()
                    .sorted(Comparator.comparingInt(o -> rank(o.outcome())))
                    .limit(MAX_OUTCOMES)
                    .toList();
        }
        drifts = drifts.stream().map(ReconcileReports::shortened).toList();
        ReconcileTotals t = r.totals();
        ReconcileTotals totals = new ReconcileTotals(
                t.pages(),
                t.servers(),
                t.answered(),
                t.fromHeartbeat(),
                t.unknown(),
                t.drifts(),
                t.repaired(),
                t.failed(),
                t.byKind(),
                t.nodesLeftOut() + r.nodes().size() - nodes.size(),
                t.driftsLeftOut() + r.drifts().size() - drifts.size());
        return new ReconcileReport(r.dryRun(), nodes, drifts, totals);
    }

    private static RepairOutcome shortened(RepairOutcome o) {
        Drift d = o.drift();
        if (length(d.detail()) <= MAX_TEXT && length(o.detail()) <= MAX_TEXT) {
            return o;
        }
        Drift drift = new Drift(
                d.kind(),
                d.accountId(),
                d.serverId(),
                d.otherServerId(),
                d.operationId(),
                d.relatedAccountId(),
                d.scriptId(),
                d.action(),
                d.alert(),
                shortened(d.detail()));
        return new RepairOutcome(drift, o.outcome(), shortened(o.detail()));
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
    }

    private static String shortened(String text) {
        return length(text) <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "…";
    }

    private static int rank(String outcome) {
        int i = PRIORITY.indexOf(outcome);
        return i < 0 ? PRIORITY.size() : i;
    }

    private static NodeView trimmed(NodeView v) {
        List<String> running = v.running();
        List<SessionDir> dirs = v.sessionDirs();
        int leftOut = 0;
        if (running.size() > MAX_LISTED) {
            leftOut += running.size() - MAX_LISTED;
            running = List.copyOf(running.subList(0, MAX_LISTED));
        }
        if (dirs != null && dirs.size() > MAX_LISTED) {
            leftOut += dirs.size() - MAX_LISTED;
            dirs = List.copyOf(dirs.subList(0, MAX_LISTED));
        }
        return leftOut == 0
                ? v
                : new NodeView(v.serverId(), v.status(), v.source(), running, dirs, v.problem(), v.leftOut() + leftOut);
    }
}
