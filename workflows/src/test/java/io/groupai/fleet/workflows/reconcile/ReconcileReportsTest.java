package io.groupai.fleet.workflows.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.common.converter.DefaultDataConverter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The bounded report of a paged reconciliation: complete counts, capped lists, the worst first. */
class ReconcileReportsTest {

    private static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private static RepairOutcome outcome(int i, String outcome) {
        Drift d = new Drift(
                DriftKind.NOT_RUNNING,
                "account-%07d".formatted(i),
                "server-%05d".formatted(i % 10_000),
                null,
                null,
                null,
                "script-1",
                RepairAction.RESTART,
                false,
                "account %07d is assigned to server-%05d but it (node) does not run it; restart 1 of 3 "
                                .formatted(i, i % 10_000)
                        + "x".repeat(2_000));
        // A node's error can be long: the report keeps the start of each text.
        return new RepairOutcome(d, outcome, "restart 1 on server-%05d: ".formatted(i) + "y".repeat(5_000));
    }

    /** A server that did not answer, with everything its heartbeat and disk hold. */
    private static NodeView problem(int s, int accounts) {
        return new NodeView(
                "server-%05d".formatted(s),
                "active",
                NodeView.FROM_HEARTBEAT,
                IntStream.range(0, accounts).mapToObj("account-%07d"::formatted).toList(),
                IntStream.range(0, accounts)
                        .mapToObj(a -> new SessionDir("account-%07d".formatted(a), SHA, 1_000L, 2_000L))
                        .toList(),
                "server server-%05d, step list accounts: no worker picked the task up; using its latest heartbeat"
                        .formatted(s));
    }

    @Test
    void theWorstReportOfAWholeFleetStaysFarBelowTemporalsPayloadLimit() {
        // 100 pages each with 50 failing servers of 1,000 accounts and 300 drifts: 30,000 drifts in all.
        ReconcileReport report = ReconcileReports.empty(false);
        String[] outcomes = {RepairOutcome.PLANNED, RepairOutcome.DONE, RepairOutcome.FAILED};
        for (int page = 0; page < 100; page++) {
            List<NodeView> views = new ArrayList<>();
            for (int s = 0; s < 50; s++) {
                views.add(problem(page * 50 + s, 1_000));
            }
            List<RepairOutcome> drifts = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                drifts.add(outcome(page * 300 + i, outcomes[i % 3]));
            }
            report = ReconcileReports.merge(report, ReconcileReports.page(false, views, drifts));
        }

        int bytes = DefaultDataConverter.newDefaultInstance()
                .toPayload(report)
                .orElseThrow()
                .getSerializedSize();
        System.out.printf("worst report: %,d bytes%n", bytes);
        assertThat(bytes).isLessThan(2 * 1024 * 1024);
        ReconcileTotals t = report.totals();
        assertThat(t.servers()).isEqualTo(5_000);
        assertThat(t.fromHeartbeat()).isEqualTo(5_000);
        assertThat(t.drifts()).isEqualTo(30_000);
        assertThat(t.failed()).isEqualTo(10_000);
        assertThat(t.repaired()).isEqualTo(10_000);
        assertThat(t.byKind().get("NOT_RUNNING")).containsEntry("planned", 10_000);
        assertThat(report.drifts()).hasSize(ReconcileReports.MAX_OUTCOMES);
        assertThat(t.driftsLeftOut()).isEqualTo(30_000 - ReconcileReports.MAX_OUTCOMES);
        assertThat(report.drifts())
                .as("the failed ones are kept first")
                .allMatch(o -> o.outcome().equals(RepairOutcome.FAILED));
        assertThat(report.drifts()).allSatisfy(o -> {
            assertThat(o.detail()).hasSize(ReconcileReports.MAX_TEXT + 1).startsWith("restart 1 on server-");
            assertThat(o.drift().detail()).hasSize(ReconcileReports.MAX_TEXT + 1);
        });
        assertThat(report.nodes()).hasSize(ReconcileReports.MAX_NODES);
        assertThat(t.nodesLeftOut()).isEqualTo(5_000 - ReconcileReports.MAX_NODES);
        assertThat(report.nodes()).allSatisfy(v -> {
            assertThat(v.running()).hasSize(ReconcileReports.MAX_LISTED);
            assertThat(v.sessionDirs()).hasSize(ReconcileReports.MAX_LISTED);
            assertThat(v.leftOut()).isEqualTo(2 * (1_000 - ReconcileReports.MAX_LISTED));
        });
    }

    @Test
    void aSmallReportKeepsEveryDriftInOrderAndOnlyTheServersWithAProblemOrADrift() {
        NodeView healthy = new NodeView("a", "active", NodeView.FROM_NODE, List.of("x"), List.of(), null);
        NodeView drifting = new NodeView("b", "active", NodeView.FROM_NODE, List.of(), List.of(), null);
        NodeView dead = new NodeView("c", "active", NodeView.UNKNOWN, List.of(), null, "server c did not answer");
        RepairOutcome planned = outcome(1, RepairOutcome.PLANNED);
        RepairOutcome failed = outcome(2, RepairOutcome.FAILED);
        RepairOutcome changed = outcome(3, RepairOutcome.CHANGED);
        Drift onB = new Drift(
                DriftKind.RUNNING_UNASSIGNED, "y", "b", null, null, null, null, RepairAction.STOP, true, "on b");

        ReconcileReport first = ReconcileReports.page(
                true, List.of(healthy, drifting), List.of(planned, new RepairOutcome(onB, "planned", null)));
        ReconcileReport report =
                ReconcileReports.merge(first, ReconcileReports.page(true, List.of(dead), List.of(failed, changed)));

        assertThat(report.drifts())
                .extracting(RepairOutcome::outcome)
                .containsExactly("planned", "planned", "failed", "changed");
        assertThat(report.nodes()).extracting(NodeView::serverId).containsExactly("b", "c");
        assertThat(report.totals())
                .extracting(
                        ReconcileTotals::pages,
                        ReconcileTotals::servers,
                        ReconcileTotals::answered,
                        ReconcileTotals::unknown,
                        ReconcileTotals::drifts,
                        ReconcileTotals::failed,
                        ReconcileTotals::nodesLeftOut,
                        ReconcileTotals::driftsLeftOut)
                .containsExactly(2, 3, 2, 1, 3, 1, 0, 0);
        assertThat(report.totals().pending()).containsEntry("NOT_RUNNING", 2L).containsEntry("RUNNING_UNASSIGNED", 1L);
    }
}
