package io.groupai.fleet.workflows.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.agent.AccountRuntimeState;
import io.groupai.fleet.workflows.agent.ExportedSession;
import io.groupai.fleet.workflows.agent.InstallScriptRequest;
import io.groupai.fleet.workflows.agent.NodeAgentActivities;
import io.groupai.fleet.workflows.agent.NodePing;
import io.groupai.fleet.workflows.agent.ScriptInstallResult;
import io.groupai.fleet.workflows.agent.SendMessageRequest;
import io.groupai.fleet.workflows.agent.SentMessage;
import io.groupai.fleet.workflows.agent.SessionInfo;
import io.groupai.fleet.workflows.agent.StartAccountRequest;
import io.groupai.fleet.workflows.allocation.SessionTransferActivities;
import io.groupai.fleet.workflows.allocation.UploadedSession;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconciler on Temporal's time-skipping test server, with an in-memory "database", fake node
 * agents on their own {@code node-<id>} queues (or none: a dead node) and a recording session transfer.
 */
class ReconcileWorkflowTest {

    private TestWorkflowEnvironment env;
    private WorkflowClient client;
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final FakeDb db = new FakeDb();
    private final Map<String, FakeNode> nodes = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp() {
        env = TestWorkflowEnvironment.newInstance();
        Worker worker = env.newWorker(TaskQueues.CONTROL_PLANE);
        worker.registerWorkflowImplementationTypes(ReconcileWorkflowImpl.class, ReconcileChunkWorkflowImpl.class);
        worker.registerActivitiesImplementations(db, new FakeSessions());
        client = env.getWorkflowClient();
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    private FakeNode node(String id, boolean alive) {
        FakeNode node = new FakeNode(id);
        nodes.put(id, node);
        db.servers.put(id, "active");
        if (alive) {
            env.newWorker(TaskQueues.node(id)).registerActivitiesImplementations(node);
        }
        return node;
    }

    private int runs;

    private ReconcileReport run(boolean dryRun) {
        return run(dryRun, null);
    }

    private ReconcileReport run(boolean dryRun, Integer pageSize) {
        if (runs++ == 0) {
            env.start();
        }
        return client.newWorkflowStub(
                        ReconcileWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                                .setWorkflowId("reconcile-test-" + runs)
                                .build())
                .reconcile(new ReconcileRequest(dryRun, null, pageSize, null));
    }

    private static List<String> lines(ReconcileReport report) {
        return report.drifts().stream()
                .map(o -> o.drift().kind() + " " + o.drift().accountId() + " "
                        + o.drift().serverId() + " " + o.drift().action() + " " + o.outcome())
                .toList();
    }

    private static RepairOutcome only(ReconcileReport report, DriftKind kind, String accountId) {
        List<RepairOutcome> found = report.drifts().stream()
                .filter(o -> o.drift().kind() == kind && o.drift().accountId().equals(accountId))
                .toList();
        assertThat(found)
                .as(kind + " of " + accountId + " in " + report.drifts())
                .hasSize(1);
        return found.get(0);
    }

    @Test
    void orphanedAllocationsAreReleasedOrFinishedByWhatTheNodeRuns() {
        FakeNode a = node("a", true);
        a.running.add("acc-running");
        db.row("acc-gone", "a", null, "allocating", "allocate-1", AccountRow.NOT_FOUND);
        db.row("acc-running", "a", null, "allocating", "allocate-2", "TERMINATED");
        db.row("acc-live", "a", null, "allocating", "allocate-3", AccountRow.RUNNING);

        ReconcileReport report = run(false);

        assertThat(only(report, DriftKind.ORPHANED_OPERATION, "acc-gone")
                        .drift()
                        .action())
                .isEqualTo(RepairAction.RELEASE);
        assertThat(only(report, DriftKind.ORPHANED_OPERATION, "acc-running")
                        .drift()
                        .action())
                .isEqualTo(RepairAction.FINISH);
        // A live operation within the bound is left alone by every rule.
        assertThat(report.drifts()).noneMatch(o -> o.drift().accountId().equals("acc-live"));
        assertThat(db.rows.get("acc-gone").serverId()).isNull();
        assertThat(db.rows.get("acc-gone").operationId()).isNull();
        assertThat(db.rows.get("acc-running").status()).isEqualTo("online");
        assertThat(db.rows.get("acc-live").status()).isEqualTo("allocating");
        assertThat(db.history)
                .contains("ORPHANED_OPERATION acc-gone RELEASE done", "ORPHANED_OPERATION acc-running FINISH done");
    }

    @Test
    void anOperationHeldLongerThanTheBoundIsSettledAlthoughItsWorkflowRuns() {
        node("a", true);
        db.row("acc", "a", null, "allocating", "allocate-stuck", AccountRow.RUNNING);
        db.stale.add("acc");

        ReconcileReport report = run(false);

        RepairOutcome outcome = only(report, DriftKind.ORPHANED_OPERATION, "acc");
        assertThat(outcome.drift().action()).isEqualTo(RepairAction.RELEASE);
        assertThat(outcome.drift().detail()).contains("longer than the configured bound");
        assertThat(db.rows.get("acc").serverId()).isNull();
    }

    @Test
    void anOrphanedAllocationOnANodeThatSaysNothingIsKeptThereMarkedFailedNeverReleased() {
        node("dead", false);
        db.row("acc", "dead", null, "allocating", "allocate-1", AccountRow.NOT_FOUND);

        ReconcileReport report = run(false);

        assertThat(report.nodes().get(0).source()).isEqualTo(NodeView.UNKNOWN);
        assertThat(report.nodes().get(0).problem()).contains("server dead, step list accounts");
        assertThat(only(report, DriftKind.ORPHANED_OPERATION, "acc").drift().action())
                .isEqualTo(RepairAction.MARK_FAILED);
        assertThat(db.rows.get("acc").serverId()).isEqualTo("dead");
        assertThat(db.rows.get("acc").status()).isEqualTo("failed");
        assertThat(events).noneMatch(e -> e.startsWith("start"));
    }

    @Test
    void aDeadAgentIsJudgedByItsLatestHeartbeat() {
        node("hb", false);
        db.heartbeats.put("hb", List.of("acc"));
        db.row("acc", "hb", null, "online", null, null);
        db.row("stopped-with-the-agent", "hb", null, "online", null, null);
        db.row("orphan", "hb", null, "allocating", "allocate-1", AccountRow.NOT_FOUND);

        ReconcileReport report = run(false);

        assertThat(report.nodes().get(0).source()).isEqualTo(NodeView.FROM_HEARTBEAT);
        // Its heartbeat says what it runs, so the orphaned claim is released...
        assertThat(only(report, DriftKind.ORPHANED_OPERATION, "orphan").drift().action())
                .isEqualTo(RepairAction.RELEASE);
        // ...but nothing is restarted through a queue its agent does not answer.
        assertThat(report.drifts()).hasSize(1);
        assertThat(events).isEmpty();
    }

    @Test
    void anAccountStartedByHandOnTheWrongNodeIsStoppedThereThenRestartedOnItsOwn() {
        FakeNode a = node("a", true);
        FakeNode b = node("b", true);
        a.sessions.add("acc");
        b.running.add("acc");
        b.running.add("stranger");
        db.row("acc", "a", null, "online", null, null);

        ReconcileReport report = run(false);

        RepairOutcome wrong = only(report, DriftKind.RUNNING_UNASSIGNED, "acc");
        assertThat(wrong.drift().serverId()).isEqualTo("b");
        assertThat(wrong.drift().alert()).isTrue();
        RepairOutcome unknown = only(report, DriftKind.RUNNING_UNASSIGNED, "stranger");
        assertThat(unknown.drift().detail()).contains("unknown to the database");
        assertThat(only(report, DriftKind.NOT_RUNNING, "acc").drift().action()).isEqualTo(RepairAction.RESTART);
        assertThat(a.running).containsExactly("acc");
        assertThat(b.running).isEmpty();
        // Never two at once: stopped on b before started on a.
        assertThat(events).containsSubsequence("stop acc@b", "start acc@a");
        assertThat(db.history).contains("RUNNING_UNASSIGNED acc STOP done alert", "NOT_RUNNING acc RESTART done");
    }

    @Test
    void anAccountOnTwoNodesIsStoppedAtOnceOnTheOneItIsNotAssignedTo() {
        FakeNode a = node("a", true);
        FakeNode b = node("b", true);
        a.running.add("acc");
        b.running.add("acc");
        db.row("acc", "a", null, "online", null, null);

        ReconcileReport report = run(false);

        RepairOutcome dup = only(report, DriftKind.DOUBLE_RUN, "acc");
        assertThat(dup.drift().serverId()).isEqualTo("b");
        assertThat(dup.drift().otherServerId()).isEqualTo("a");
        assertThat(dup.drift().alert()).isTrue();
        assertThat(a.running).containsExactly("acc");
        assertThat(b.running).isEmpty();
        assertThat(report.drifts()).hasSize(1);
        assertThat(db.history).containsExactly("DOUBLE_RUN acc STOP done alert");
    }

    @Test
    void restartsAreBoundedThenTheAccountIsMarkedFailedWithTheReason() {
        FakeNode a = node("a", true);
        a.refuseStart.add("acc");
        db.row("acc", "a", null, "online", null, null);

        for (int run = 1; run <= 3; run++) {
            ReconcileReport report = run(false);
            RepairOutcome outcome = only(report, DriftKind.NOT_RUNNING, "acc");
            assertThat(outcome.drift().action()).isEqualTo(RepairAction.RESTART);
            assertThat(outcome.outcome()).isEqualTo(RepairOutcome.FAILED);
            assertThat(outcome.detail()).contains("account acc on server a, step restart", "disk quota exceeded");
        }
        ReconcileReport last = run(false);

        RepairOutcome failed = only(last, DriftKind.NOT_RUNNING, "acc");
        assertThat(failed.drift().action()).isEqualTo(RepairAction.MARK_FAILED);
        assertThat(failed.drift().alert()).isTrue();
        assertThat(failed.drift().detail()).contains("after 3 restarts");
        assertThat(db.rows.get("acc").status()).isEqualTo("failed");
        assertThat(db.reasons.get("acc")).contains("not running after 3 restarts");
        // A failed account is not restarted again.
        assertThat(run(false).drifts()).isEmpty();
    }

    @Test
    void aRestartUploadsTheStoredSessionOnlyWhenTheNodeHasNone() {
        FakeNode a = node("a", true);
        db.row("acc", "a", null, "online", null, null);

        ReconcileReport report = run(false);

        assertThat(only(report, DriftKind.NOT_RUNNING, "acc").detail()).contains("stored session uploaded first");
        assertThat(events).containsSubsequence("start acc@a", "upload acc@a", "start acc@a");
        assertThat(a.running).containsExactly("acc");
        assertThat(db.restarts.get("acc")).isEqualTo(1);

        run(false);
        assertThat(db.restarts.get("acc")).as("reset once the server runs it").isZero();
    }

    @Test
    void orphanSessionDirectoriesAreRemovedOnlyWhenTheStoreHoldsACopyAtLeastAsNew() {
        FakeNode a = node("a", true);
        node("b", true);
        db.row("placed-elsewhere", "b", null, "online", null, null);
        nodes.get("b").running.add("placed-elsewhere");
        db.stored.put("placed-elsewhere", new String[] {"aa", "2000"});
        db.row("newer-on-disk", null, null, "unallocated", null, null);
        db.stored.put("newer-on-disk", new String[] {"bb", "1000"});
        a.dirs.add(new SessionDir("placed-elsewhere", "aa", 1500L, null));
        a.dirs.add(new SessionDir("newer-on-disk", "bb", 900L, 5000L));
        a.dirs.add(new SessionDir("nobody", "cc", 100L, null));

        ReconcileReport report = run(false);

        assertThat(only(report, DriftKind.ORPHAN_SESSION_DIR, "placed-elsewhere")
                        .drift()
                        .action())
                .isEqualTo(RepairAction.REMOVE_DIR);
        RepairOutcome newer = only(report, DriftKind.ORPHAN_SESSION_DIR, "newer-on-disk");
        assertThat(newer.drift().action()).isEqualTo(RepairAction.KEEP_DIR);
        assertThat(newer.drift().detail()).contains("newer than the session store's copy");
        RepairOutcome unknown = only(report, DriftKind.ORPHAN_SESSION_DIR, "nobody");
        assertThat(unknown.drift().action()).isEqualTo(RepairAction.KEEP_DIR);
        assertThat(unknown.drift().detail()).contains("an unknown account", "may be the only one");
        assertThat(events).containsExactly("remove placed-elsewhere@a");
    }

    @Test
    void duplicateRowsAreReportedWithAMergeActionAndNothingChanges() {
        node("a", true).running.add("639277356155");
        db.row("639277356155", "a", null, "online", null, null);
        db.row("+639277356155", null, null, "unallocated", null, null);
        db.duplicates.add(new DuplicateGroup(7012345678L, List.of("+639277356155", "639277356155")));

        ReconcileReport report = run(false);

        RepairOutcome dup = only(report, DriftKind.DUPLICATE_ACCOUNT, "+639277356155");
        assertThat(dup.drift().relatedAccountId()).isEqualTo("639277356155");
        assertThat(dup.drift().action()).isEqualTo(RepairAction.MERGE);
        assertThat(dup.drift().detail()).contains("DELETE /api/v1/group-ai/accounts/+639277356155");
        assertThat(dup.outcome()).isEqualTo(RepairOutcome.REPORTED);
        assertThat(db.history).isEmpty();
    }

    @Test
    void aDryRunReportsEveryDifferenceAndChangesNothing() {
        FakeNode a = node("a", true);
        FakeNode b = node("b", true);
        b.running.add("acc");
        db.row("acc", "a", null, "online", null, null);
        db.row("orphan", "a", null, "allocating", "allocate-9", AccountRow.NOT_FOUND);

        ReconcileReport report = run(true);

        assertThat(report.dryRun()).isTrue();
        assertThat(report.drifts())
                .extracting(o -> o.drift().kind() + " " + o.drift().accountId() + " " + o.outcome())
                .containsExactly(
                        "ORPHANED_OPERATION orphan planned",
                        "RUNNING_UNASSIGNED acc planned",
                        "NOT_RUNNING acc planned");
        assertThat(events).isEmpty();
        assertThat(db.history).isEmpty();
        assertThat(db.rows.get("orphan").operationId()).isEqualTo("allocate-9");
        assertThat(b.running).containsExactly("acc");
        assertThat(a.running).isEmpty();
    }

    @Test
    void migrationsLeftByADeadWorkflowGoBackToTheSourceOrStayOnTheTarget() {
        FakeNode a = node("a", true);
        node("b", true);
        a.running.add("before-switch");
        db.row("before-switch", "a", "b", "migrating", "migrate-1", AccountRow.NOT_FOUND);
        db.row("after-switch", "b", null, "migrating", "migrate-2", "FAILED");
        nodes.get("b").sessions.add("after-switch");

        ReconcileReport report = run(false);

        assertThat(only(report, DriftKind.ORPHANED_OPERATION, "before-switch")
                        .drift()
                        .action())
                .isEqualTo(RepairAction.ABORT_MIGRATION);
        assertThat(only(report, DriftKind.ORPHANED_OPERATION, "after-switch")
                        .drift()
                        .action())
                .isEqualTo(RepairAction.SETTLE_OFFLINE);
        assertThat(only(report, DriftKind.NOT_RUNNING, "after-switch").drift().action())
                .isEqualTo(RepairAction.RESTART);
        assertThat(db.rows.get("before-switch").reservedServerId()).isNull();
        assertThat(db.rows.get("before-switch").serverId()).isEqualTo("a");
        assertThat(nodes.get("b").running).containsExactly("after-switch");
    }

    @Test
    void aMigrationFinishingBetweenTheListingAndTheComparisonIsNotDriftAndNothingIsTouched() {
        FakeNode a = node("a", true);
        FakeNode b = node("b", true);
        a.running.add("acc");
        a.sessions.add("acc");
        db.row("acc", "a", null, "online", null, null);
        // The nodes were listed (a runs acc); the rebalance's migration to b then finishes before the snapshot.
        db.duringSnapshot = () -> {
            b.sessions.add("acc");
            b.running.add("acc");
            a.running.remove("acc");
            db.row("acc", "b", null, "online", null, null);
        };

        ReconcileReport report = run(false);

        // Compared with the stale listing the account looked unassigned on a and missing on b: neither is acted on.
        assertThat(report.drifts()).isNotEmpty().allSatisfy(o -> {
            assertThat(o.outcome()).isEqualTo(RepairOutcome.CHANGED);
            assertThat(o.detail()).startsWith("changed during the run: account acc");
        });
        assertThat(events).isEmpty();
        assertThat(db.history).isEmpty();
        assertThat(db.restarts).doesNotContainKey("acc");
        assertThat(b.running).containsExactly("acc");
        assertThat(a.running).isEmpty();
    }

    @Test
    void aRowChangedAfterTheSnapshotIsNotRepairedFromTheSnapshot() {
        FakeNode a = node("a", true);
        FakeNode b = node("b", true);
        a.sessions.add("acc");
        b.sessions.add("acc");
        db.row("acc", "a", null, "online", null, null);
        // a does not run it (a migration stopped it there); the migration switches the row to b and takes it
        // (operation account-acc) right after the snapshot, before anything was repaired.
        db.afterSnapshot = () -> db.row("acc", "b", null, "migrating", "account-acc", AccountRow.RUNNING);

        ReconcileReport report = run(false);

        RepairOutcome outcome = only(report, DriftKind.NOT_RUNNING, "acc");
        assertThat(outcome.outcome()).isEqualTo(RepairOutcome.CHANGED);
        assertThat(outcome.detail()).contains("was changed in the database meanwhile (now on b, held by account-acc)");
        assertThat(events).noneMatch(e -> e.startsWith("start"));
    }

    @Test
    void anAccountABackupOrRestoreHoldsIsNotRestartedUnderIt() {
        FakeNode a = node("a", true);
        a.sessions.add("acc");
        // The backup stopped it on its server to export the session; its row is unchanged.
        db.row("acc", "a", null, "online", null, null);
        db.workflows.add("acc");

        ReconcileReport report = run(false);

        RepairOutcome outcome = only(report, DriftKind.NOT_RUNNING, "acc");
        assertThat(outcome.outcome()).isEqualTo(RepairOutcome.CHANGED);
        assertThat(outcome.detail()).contains("is being worked on by workflow account-acc");
        assertThat(events).isEmpty();
        assertThat(db.history).isEmpty();

        // Once the backup is over and the node still does not run it, it is drift: restarted.
        db.workflows.clear();
        ReconcileReport next = run(false);
        assertThat(only(next, DriftKind.NOT_RUNNING, "acc").outcome()).isEqualTo(RepairOutcome.DONE);
        assertThat(a.running).containsExactly("acc");
    }

    @Test
    void aRunInPagesJudgesEachRowOnceInThePageOfItsServerAndFindsWhatOnePageFinds() throws Exception {
        FakeNode a = node("a", true);
        FakeNode b = node("b", true);
        FakeNode c = node("c", true);
        // Placed on c (page 2), started by hand on a (page 0) instead.
        a.running.add("moved");
        c.sessions.add("moved");
        db.row("moved", "c", null, "online", null, null);
        // Runs on c, its server, and on a; c's latest heartbeat says so.
        a.running.add("twice");
        c.running.add("twice");
        db.heartbeats.put("c", List.of("twice"));
        db.row("twice", "c", null, "online", null, null);
        // An orphaned allocation c runs: page 0 did not ask c, so it must not mark it failed ("did not answer").
        c.running.add("held");
        db.row("held", "c", null, "allocating", "allocate-1", AccountRow.NOT_FOUND);
        // An orphaned migration from b to c: judged once, by the page of its source, though c's page reads it too.
        b.running.add("mig");
        db.row("mig", "b", "c", "migrating", "migrate-1", AccountRow.NOT_FOUND);
        // What belongs to no page's server: judged by the first page.
        db.row("lost", null, null, "allocating", "allocate-2", AccountRow.NOT_FOUND);
        db.row("dup", null, null, "unallocated", null, null);
        db.duplicates.add(new DuplicateGroup(7012345678L, List.of("dup", "twice")));

        ReconcileReport onePage = run(true);
        ReconcileReport threePages = run(true, 1);

        assertThat(lines(threePages))
                .as("page order, the detector's rule order within a page")
                .containsExactly(
                        "ORPHANED_OPERATION lost null RELEASE planned",
                        "RUNNING_UNASSIGNED moved a STOP planned",
                        "DOUBLE_RUN twice a STOP planned",
                        "DUPLICATE_ACCOUNT dup null MERGE reported",
                        "ORPHANED_OPERATION mig b ABORT_MIGRATION planned",
                        "ORPHANED_OPERATION held c FINISH planned",
                        "NOT_RUNNING moved c RESTART planned");
        assertThat(lines(threePages)).containsExactlyInAnyOrderElementsOf(lines(onePage));
        assertThat(only(threePages, DriftKind.RUNNING_UNASSIGNED, "moved")
                        .drift()
                        .detail())
                .as("page 0 does not claim what page 2 does")
                .contains("assigned to c, whose latest heartbeat does not list it", "its own page")
                .doesNotContain("(restarted there)");
        assertThat(only(onePage, DriftKind.RUNNING_UNASSIGNED, "moved").drift().detail())
                .contains("assigned to c, which does not run it (restarted there)");
        assertThat(only(threePages, DriftKind.DOUBLE_RUN, "twice").drift().detail())
                .contains("per its latest heartbeat");
        assertThat(threePages.totals())
                .extracting(ReconcileTotals::pages, ReconcileTotals::servers, ReconcileTotals::answered)
                .containsExactly(3, 3, 3);
        assertThat(onePage.totals().pages()).isEqualTo(1);
        assertThat(events).isEmpty();

        ReconcileReport repaired = run(false, 1);

        assertThat(lines(repaired))
                .containsExactly(
                        "ORPHANED_OPERATION lost null RELEASE done",
                        "RUNNING_UNASSIGNED moved a STOP done",
                        "DOUBLE_RUN twice a STOP done",
                        "DUPLICATE_ACCOUNT dup null MERGE reported",
                        "ORPHANED_OPERATION mig b ABORT_MIGRATION done",
                        "ORPHANED_OPERATION held c FINISH done",
                        "NOT_RUNNING moved c RESTART done");
        assertThat(events).containsSubsequence("stop moved@a", "start moved@c");
        assertThat(a.running).isEmpty();
        assertThat(c.running).containsExactlyInAnyOrder("moved", "twice", "held");
        assertThat(db.rows.get("held").status()).isEqualTo("online");
        // The pages are child workflows named after the run; the run's progress adds them up.
        String runId = "reconcile-test-" + runs;
        for (int page = 0; page < 3; page++) {
            assertThat(client.fetchHistory(ReconcileWorkflowImpl.pageId(runId, page))
                            .getEvents())
                    .isNotEmpty();
        }
        assertThat(client.newWorkflowStub(ReconcileWorkflow.class, runId).progress())
                .isEqualTo(new ReconcileProgress("done", 3, 7, 6, 0, 3, 3));
        // Both the run and its pages replay deterministically from their histories.
        io.temporal.testing.WorkflowReplayer.replayWorkflowExecution(
                client.fetchHistory(runId), ReconcileWorkflowImpl.class);
        for (int page = 0; page < 3; page++) {
            io.temporal.testing.WorkflowReplayer.replayWorkflowExecution(
                    client.fetchHistory(ReconcileWorkflowImpl.pageId(runId, page)), ReconcileChunkWorkflowImpl.class);
        }
    }

    @Test
    void aPageDoesNotRestartAnAccountAServerOfALaterPageRunsItStopsItThereAndTheNextRunRestartsIt() {
        FakeNode a = node("a", true);
        FakeNode b = node("b", true);
        a.sessions.add("acc");
        b.running.add("acc");
        // Placed on a (page 0), started by hand on b (page 1), whose heartbeats report it (accounts.source_node).
        db.rows.put("acc", new AccountRow("acc", "a", null, "online", null, null, null, false, 0, null, null, "b"));
        db.heartbeats.put("b", List.of("acc"));

        ReconcileReport report = run(false, 1);

        assertThat(lines(report))
                .containsExactly("NOT_RUNNING acc a RESTART skipped", "RUNNING_UNASSIGNED acc b STOP done");
        assertThat(only(report, DriftKind.NOT_RUNNING, "acc").detail())
                .contains("latest heartbeat of b", "the next run restarts it here");
        assertThat(events)
                .as("never two at once: not started on a while b runs it")
                .containsExactly("stop acc@b");
        assertThat(db.history).contains("NOT_RUNNING acc RESTART skipped");

        // b's heartbeat no longer lists it: the next run restarts it on its server.
        db.heartbeats.put("b", List.of());
        ReconcileReport next = run(false, 1);
        assertThat(lines(next)).containsExactly("NOT_RUNNING acc a RESTART done");
        assertThat(a.running).containsExactly("acc");
        assertThat(b.running).isEmpty();
    }

    // --- fakes ---------------------------------------------------------------------------

    /** The database and Temporal's answers, in memory. */
    final class FakeDb implements ReconcileActivities {
        final Map<String, String> servers = new TreeMap<>();
        final Map<String, List<String>> heartbeats = new ConcurrentHashMap<>();
        final Map<String, AccountRow> rows = new ConcurrentHashMap<>();
        final Set<String> stale = ConcurrentHashMap.newKeySet();
        final Map<String, Integer> restarts = new ConcurrentHashMap<>();
        final Map<String, String> reasons = new ConcurrentHashMap<>();
        final Map<String, String[]> stored = new ConcurrentHashMap<>();
        final List<DuplicateGroup> duplicates = new ArrayList<>();
        final List<String> history = Collections.synchronizedList(new ArrayList<>());
        /** Accounts a workflow account-<id> runs for (a migration, backup, restore...). */
        final Set<String> workflows = ConcurrentHashMap.newKeySet();
        /** Runs once, as the snapshot is read: what finished between the listing and the comparison. */
        volatile Runnable duringSnapshot;
        /** Runs once, as the drifts are checked again: what changed after the comparison. */
        volatile Runnable afterSnapshot;

        void row(String id, String server, String reserved, String status, String op, String opState) {
            rows.put(id, new AccountRow(id, server, reserved, status, null, op, opState, false, 0, null, null));
        }

        private void put(AccountRow r, String server, String reserved, String status, String op) {
            rows.put(
                    r.accountId(),
                    new AccountRow(
                            r.accountId(), server, reserved, status, r.scriptId(), op, null, false, 0, null, null));
        }

        @Override
        public List<ServerTarget> servers(List<String> serverIds) {
            return servers.entrySet().stream()
                    .filter(e -> serverIds == null || serverIds.isEmpty() || serverIds.contains(e.getKey()))
                    .map(e -> new ServerTarget(e.getKey(), e.getValue(), heartbeats.get(e.getKey())))
                    .toList();
        }

        @Override
        public List<SessionDir> sessionDirs(String serverId) {
            return List.copyOf(nodes.get(serverId).dirs);
        }

        @Override
        public ServerPage serverPage(List<String> serverIds, String afterNodeId, int limit) {
            List<String> all = servers.keySet().stream()
                    .filter(id -> serverIds == null || serverIds.isEmpty() || serverIds.contains(id))
                    .toList();
            return new ServerPage(
                    all.stream()
                            .filter(id -> afterNodeId == null || id.compareTo(afterNodeId) > 0)
                            .limit(limit)
                            .toList(),
                    all.size());
        }

        @Override
        public List<String> heartbeatListed(List<AssignedServer> accounts) {
            return accounts.stream()
                    .filter(a ->
                            heartbeats.getOrDefault(a.serverId(), List.of()).contains(a.accountId()))
                    .map(AssignedServer::accountId)
                    .toList();
        }

        @Override
        public FleetSnapshot snapshot(List<String> reportedIds, List<String> dirAccountIds) {
            return snapshotOf(() -> rows.values(), List.copyOf(duplicates));
        }

        /** As the database answers a page: its servers' rows, the rows asked for, and (first page) the rest. */
        @Override
        public FleetSnapshot pageSnapshot(
                List<String> serverIds,
                List<String> reportedIds,
                Map<String, List<String>> dirsByServer,
                boolean global) {
            Set<String> asked = new java.util.HashSet<>(reportedIds);
            dirsByServer.values().forEach(asked::addAll);
            if (global) {
                duplicates.forEach(g -> asked.addAll(g.accountIds()));
            }
            return snapshotOf(
                    () -> rows.values().stream()
                            .filter(r -> serverIds.contains(r.serverId())
                                    || serverIds.contains(r.reservedServerId())
                                    || asked.contains(r.accountId())
                                    || (global
                                            && r.operationId() != null
                                            && r.serverId() == null
                                            && r.reservedServerId() == null))
                            .toList(),
                    global ? List.copyOf(duplicates) : List.of());
        }

        /** {@code selected} is read after what happens "meanwhile", as a database would. */
        private FleetSnapshot snapshotOf(
                java.util.function.Supplier<java.util.Collection<AccountRow>> selected, List<DuplicateGroup> dups) {
            Runnable meanwhile = duringSnapshot;
            duringSnapshot = null;
            if (meanwhile != null) {
                meanwhile.run();
            }
            List<AccountRow> out = new ArrayList<>();
            for (AccountRow r : selected.get()) {
                String[] s = stored.get(r.accountId());
                out.add(new AccountRow(
                        r.accountId(),
                        r.serverId(),
                        r.reservedServerId(),
                        r.status(),
                        r.scriptId(),
                        r.operationId(),
                        r.operationState(),
                        stale.contains(r.accountId()),
                        restarts.getOrDefault(r.accountId(), 0),
                        s == null ? null : s[0],
                        s == null ? null : Long.valueOf(s[1]),
                        r.reportedBy()));
            }
            out.sort(Comparator.comparing(AccountRow::accountId));
            return new FleetSnapshot(out, dups, 3);
        }

        @Override
        public List<AccountCheck> recheck(List<String> accountIds) {
            Runnable meanwhile = afterSnapshot;
            afterSnapshot = null;
            if (meanwhile != null) {
                meanwhile.run();
            }
            return accountIds.stream()
                    .map(id -> new AccountCheck(id, rows.get(id), workflows.contains(id) ? "account-" + id : null))
                    .toList();
        }

        @Override
        public void settle(String accountId, String serverId, String operationId, RepairAction action, String reason) {
            AccountRow r = rows.get(accountId);
            if (r == null || !operationId.equals(r.operationId())) {
                throw ApplicationFailure.newNonRetryableFailure("not held by " + operationId, FailureTypes.CLAIM_LOST);
            }
            switch (action) {
                case FINISH -> put(r, r.serverId(), null, "online", null);
                case RELEASE -> put(r, null, null, "unallocated", null);
                case ABORT_MIGRATION -> put(r, r.serverId(), null, "online", null);
                case SETTLE_OFFLINE -> put(r, r.serverId(), null, "offline", null);
                case MARK_FAILED -> put(r, r.serverId(), null, "failed", null);
                default -> throw new IllegalArgumentException(action.name());
            }
        }

        @Override
        public int restartAttempt(String accountId, String serverId) {
            return restarts.merge(accountId, 1, Integer::sum);
        }

        @Override
        public void markFailed(String accountId, String serverId, String reason) {
            AccountRow r = rows.get(accountId);
            put(r, r.serverId(), null, "failed", null);
            reasons.put(accountId, reason);
        }

        @Override
        public void confirmRunning(List<String> accountIds) {
            accountIds.forEach(id -> restarts.put(id, 0));
        }

        @Override
        public void record(String workflowId, Drift drift, String outcome, String detail) {
            history.add(drift.kind() + " " + drift.accountId() + " " + drift.action() + " " + outcome
                    + (drift.alert() ? " alert" : ""));
        }
    }

    final class FakeSessions implements SessionTransferActivities {
        @Override
        public List<io.groupai.fleet.workflows.allocation.UploadedAccount> uploadBatch(
                String serverId, List<String> accountIds) {
            return io.groupai.fleet.workflows.allocation.OneByOne.upload(this, serverId, accountIds);
        }

        @Override
        public UploadedSession upload(String accountId, String serverId) {
            events.add("upload " + accountId + "@" + serverId);
            nodes.get(serverId).sessions.add(accountId);
            return new UploadedSession(accountId, serverId, "/srv/" + accountId, "ab", 10);
        }

        @Override
        public void remove(String accountId, String serverId) {
            events.add("remove " + accountId + "@" + serverId);
            nodes.get(serverId).dirs.removeIf(d -> d.accountId().equals(accountId));
        }

        @Override
        public UploadedSession fetchExported(
                String accountId, String serverId, String remotePath, String expectedSha256) {
            throw new UnsupportedOperationException();
        }
    }

    final class FakeNode implements NodeAgentActivities {
        @Override
        public List<io.groupai.fleet.workflows.agent.StartedAccount> startAccounts(
                List<io.groupai.fleet.workflows.agent.StartAccountRequest> requests) {
            return io.groupai.fleet.workflows.allocation.OneByOne.start(this, requests);
        }

        final String id;
        final Set<String> running = ConcurrentHashMap.newKeySet();
        final Set<String> sessions = ConcurrentHashMap.newKeySet();
        final Set<String> refuseStart = ConcurrentHashMap.newKeySet();
        final List<SessionDir> dirs = Collections.synchronizedList(new ArrayList<>());

        FakeNode(String id) {
            this.id = id;
        }

        @Override
        public AccountRuntimeState startAccount(StartAccountRequest request) {
            events.add("start " + request.accountId() + "@" + id);
            if (refuseStart.contains(request.accountId())) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "server " + id + ": disk quota exceeded", FailureTypes.NON_RETRYABLE_NODE_FAILURE);
            }
            if (!sessions.contains(request.accountId())) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "server " + id + ": no session for " + request.accountId(), FailureTypes.SESSION_MISSING);
            }
            running.add(request.accountId());
            return new AccountRuntimeState(request.accountId(), "online", request.scriptId(), null);
        }

        @Override
        public AccountRuntimeState stopAccount(String accountId) {
            events.add("stop " + accountId + "@" + id);
            running.remove(accountId);
            return new AccountRuntimeState(accountId, "stopped", null, null);
        }

        @Override
        public List<AccountRuntimeState> listAccounts() {
            return running.stream()
                    .sorted()
                    .map(a -> new AccountRuntimeState(a, "online", null, null))
                    .toList();
        }

        @Override
        public ExportedSession exportSession(String accountId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public NodePing ping() {
            return new NodePing(id, "test", "simulated", running.size(), 1);
        }

        @Override
        public SessionInfo installSession(String accountId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void removeSession(String accountId) {}

        @Override
        public void discardMigratedSession(String accountId, String exportPath) {}

        @Override
        public ScriptInstallResult installScript(InstallScriptRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void removeScript(String scriptId) {}

        @Override
        public SentMessage sendMessage(SendMessageRequest request) {
            throw new UnsupportedOperationException();
        }
    }
}
