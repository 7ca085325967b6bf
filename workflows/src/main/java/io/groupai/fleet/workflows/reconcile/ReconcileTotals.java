package io.groupai.fleet.workflows.reconcile;

import java.util.Map;
import java.util.TreeMap;

/**
 * The counts of a reconciliation report: complete even where its lists are capped.
 *
 * @param pages          pages (child workflows) compared
 * @param servers        servers compared
 * @param answered       of those, servers whose agent said what it runs
 * @param fromHeartbeat  servers judged by their latest heartbeat (the agent did not answer)
 * @param unknown        servers about which nothing could be concluded
 * @param drifts         drifts found (without those that changed during the run)
 * @param repaired       repairs done
 * @param failed         repairs that failed
 * @param byKind         per drift kind, per outcome (planned, reported, done, skipped, failed, changed): how many
 * @param nodesLeftOut   servers with a problem or a drift left out of the report's {@code nodes}
 * @param driftsLeftOut  drift outcomes left out of the report's {@code drifts} (all are in reconcile_history)
 */
public record ReconcileTotals(
        int pages,
        int servers,
        int answered,
        int fromHeartbeat,
        int unknown,
        int drifts,
        int repaired,
        int failed,
        Map<String, Map<String, Integer>> byKind,
        int nodesLeftOut,
        int driftsLeftOut) {

    public static final ReconcileTotals NONE = new ReconcileTotals(0, 0, 0, 0, 0, 0, 0, 0, Map.of(), 0, 0);

    /** Both added up. */
    public ReconcileTotals plus(ReconcileTotals o) {
        Map<String, Map<String, Integer>> kinds = new TreeMap<>();
        for (Map<String, Map<String, Integer>> side : java.util.List.of(byKind, o.byKind)) {
            side.forEach((kind, outcomes) -> outcomes.forEach((outcome, n) ->
                    kinds.computeIfAbsent(kind, k -> new TreeMap<>()).merge(outcome, n, Integer::sum)));
        }
        return new ReconcileTotals(
                pages + o.pages,
                servers + o.servers,
                answered + o.answered,
                fromHeartbeat + o.fromHeartbeat,
                unknown + o.unknown,
                drifts + o.drifts,
                repaired + o.repaired,
                failed + o.failed,
                kinds,
                nodesLeftOut + o.nodesLeftOut,
                driftsLeftOut + o.driftsLeftOut);
    }

    /** Drifts per kind that were not "changed during the run" (what is still to be done or was done). */
    public Map<String, Long> pending() {
        Map<String, Long> pending = new TreeMap<>();
        byKind.forEach((kind, outcomes) -> outcomes.forEach((outcome, n) -> {
            if (!RepairOutcome.CHANGED.equals(outcome)) {
                pending.merge(kind, (long) n, Long::sum);
            }
        }));
        return pending;
    }
}
