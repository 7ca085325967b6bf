package io.groupai.fleet.workflows.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.SearchAttributeKeys;
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
import io.groupai.fleet.workflows.supervision.FailoverRequest;
import io.groupai.fleet.workflows.supervision.FailoverResult;
import io.groupai.fleet.workflows.supervision.FailoverWorkflow;
import io.groupai.fleet.workflows.supervision.FailoverWorkflowImpl;
import io.groupai.fleet.workflows.supervision.HealthEvent;
import io.groupai.fleet.workflows.supervision.NodeCheck;
import io.groupai.fleet.workflows.supervision.SupervisionActivities;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
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
 * The allocation saga on Temporal's time-skipping test server, with small in-test activity
 * implementations: an in-memory "database" with capacity, a recording session transfer and
 * node agents on their own {@code node-<id>} queues.
 */
class AllocateAccountsWorkflowTest {

    private TestWorkflowEnvironment env;
    private WorkflowClient client;
    private final FakeFleet fleet = new FakeFleet();
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, FakeNode> nodes = new ConcurrentHashMap<>();
    private final FakeSupervision supervision = new FakeSupervision();
    private final FakeBackups backups = new FakeBackups();

    @BeforeEach
    void setUp() {
        env = TestWorkflowEnvironment.newInstance();
        Worker worker = env.newWorker(TaskQueues.CONTROL_PLANE);
        worker.registerWorkflowImplementationTypes(
                AllocateAccountsWorkflowImpl.class,
                AllocateChunkWorkflowImpl.class,
                MigrateAccountWorkflowImpl.class,
                FailoverWorkflowImpl.class);
        worker.registerActivitiesImplementations(fleet, new FakeSessions(), supervision, backups);
        client = env.getWorkflowClient();
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    /** A server with a node agent polling its queue (unless {@code alive} is false: a dead node). */
    private FakeNode server(String id, int max, boolean alive) {
        fleet.max.put(id, max);
        FakeNode node = new FakeNode(id);
        nodes.put(id, node);
        if (alive) {
            env.newWorker(TaskQueues.node(id)).registerActivitiesImplementations(node);
        }
        return node;
    }

    private AllocationResult run(String workflowId, AllocationRequest request) {
        env.start();
        return client.newWorkflowStub(
                        AllocateAccountsWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                                .setWorkflowId(workflowId)
                                .build())
                .allocate(request);
    }

    @Test
    void happyPathPlacesEightAccountsThreeThreeTwoAndRecordsHistory() {
        server("a", 5, true);
        server("b", 5, true);
        server("c", 5, true);
        for (int i = 1; i <= 8; i++) {
            fleet.unallocated.add("acc" + i);
        }

        AllocationResult result = run("allocate-1", AllocationRequest.auto("balanced"));

        assertThat(result.placed()).isEqualTo(8);
        assertThat(result.failed()).isZero();
        assertThat(fleet.countsByServer()).containsExactly(Map.entry("a", 3), Map.entry("b", 3), Map.entry("c", 2));
        assertThat(fleet.history).hasSize(8).allMatch(h -> h.endsWith("initial allocate-1"));
        assertThat(result.outcomes()).allSatisfy(o -> {
            assertThat(o.success()).isTrue();
            assertThat(o.remotePath())
                    .isEqualTo("/srv/" + o.serverId() + "/sessions/" + o.accountId() + "/session.zip");
            assertThat(nodes.get(o.serverId()).running).contains(o.accountId());
        });
        assertThat(fleet.status)
                .containsOnlyKeys(fleet.placement.keySet())
                .allSatisfy((k, v) -> assertThat(v).isEqualTo("online"));
    }

    @Test
    void accountsBoundForOneServerShareOneActivityPerStepAndOneFailingItemGoesOnAloneWithoutItsSiblings() {
        FakeNode a = server("a", 5, true);
        server("b", 5, true);
        server("c", 5, true);
        a.refuse.add("acc4"); // fails inside a's batched start
        for (int i = 1; i <= 8; i++) {
            fleet.unallocated.add("acc" + i);
        }

        AllocationResult result = run("allocate-batched", AllocationRequest.auto("balanced"));

        assertThat(result.placed()).as(result.toString()).isEqualTo(8);
        // balanced: acc1, acc4, acc7 planned on a; acc2, acc5, acc8 on b; acc3, acc6 on c — one batch per server
        assertThat(events)
                .filteredOn(e -> e.startsWith("reserveBatch"))
                .containsExactlyInAnyOrder(
                        "reserveBatch a [acc1, acc4, acc7]",
                        "reserveBatch b [acc2, acc5, acc8]",
                        "reserveBatch c [acc3, acc6]");
        assertThat(events).filteredOn(e -> e.startsWith("uploadBatch")).hasSize(3);
        assertThat(events)
                .filteredOn(e -> e.startsWith("startAccounts"))
                .contains("startAccounts a [acc1, acc4, acc7]")
                .hasSize(3);
        // acc4's item failed: it retried the start alone, was compensated on a and placed elsewhere on its own;
        // its siblings on a were recorded in one batch without it.
        assertThat(events)
                .filteredOn(e -> e.startsWith("completeBatch"))
                .containsExactlyInAnyOrder(
                        "completeBatch a [acc1, acc7]",
                        "completeBatch b [acc2, acc5, acc8]",
                        "completeBatch c [acc3, acc6]");
        assertThat(events)
                .containsSubsequence("start acc4@a", "start acc4@a", "stop acc4@a", "remove acc4@a", "release acc4@a");
        AccountOutcome acc4 = result.outcomes().stream()
                .filter(o -> o.accountId().equals("acc4"))
                .findFirst()
                .orElseThrow();
        assertThat(acc4.serverId()).isNotEqualTo("a");
        assertThat(acc4.attempts()).singleElement().asString().contains("account acc4 on server a, step start-account");
        assertThat(fleet.history).hasSize(8);
    }

    @Test
    void anAutoAllocationListsItsAccountsAndServersInSearchAttributesWhereTheClusterHasThem() {
        env.registerSearchAttribute("AccountId", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST);
        env.registerSearchAttribute("NodeId", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST);
        env.registerSearchAttribute("Operation", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
        server("a", 5, true);
        server("b", 5, true);
        List.of("acc1", "acc2", "acc3").forEach(fleet.unallocated::add);
        env.start();
        // As the app starts an auto allocation: Operation set, AccountId unknown until the workflow pages the accounts.
        AllocationResult result = client.newWorkflowStub(
                        AllocateAccountsWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                                .setWorkflowId("allocate-indexed")
                                .setTypedSearchAttributes(SearchAttributes.newBuilder()
                                        .set(SearchAttributeKeys.OPERATION, "allocate")
                                        .build())
                                .build())
                .allocate(AllocationRequest.auto("balanced"));
        assertThat(result.placed()).isEqualTo(3);

        SearchAttributes parent =
                client.newUntypedWorkflowStub("allocate-indexed").describe().getTypedSearchAttributes();
        assertThat(parent.get(SearchAttributeKeys.ACCOUNT_ID)).containsExactly("acc1", "acc2", "acc3");
        SearchAttributes chunk = client.newUntypedWorkflowStub("allocate-indexed-chunk-1")
                .describe()
                .getTypedSearchAttributes();
        assertThat(chunk.get(SearchAttributeKeys.ACCOUNT_ID)).containsExactlyInAnyOrder("acc1", "acc2", "acc3");
        assertThat(chunk.get(SearchAttributeKeys.NODE_ID)).containsExactlyInAnyOrder("a", "b");
        assertThat(chunk.get(SearchAttributeKeys.OPERATION)).isEqualTo("allocate");
    }

    @Test
    void aFailedStartIsCompensatedInReverseThenTheNextBestServerIsUsed() {
        FakeNode a = server("a", 5, true);
        server("b", 5, true);
        a.refuseStart = true;
        fleet.unallocated.add("acc1");

        AllocationResult result = run("account-acc1", AllocationRequest.accounts("balanced", List.of("acc1")));

        AccountOutcome outcome = result.outcomes().get(0);
        assertThat(outcome.success()).as(outcome.toString()).isTrue();
        assertThat(outcome.serverId()).isEqualTo("b");
        assertThat(outcome.attempts())
                .singleElement()
                .asString()
                .contains("account acc1 on server a, step start-account", "disk quota exceeded");
        // reverse order on a: stop (it may have half-started), remove the upload, release; then b from the start
        assertThat(events)
                .containsSubsequence(
                        "reserve acc1@a",
                        "upload acc1@a",
                        "start acc1@a",
                        "stop acc1@a",
                        "remove acc1@a",
                        "release acc1@a",
                        "reserve acc1@b",
                        "upload acc1@b",
                        "start acc1@b",
                        "complete acc1@b");
        assertThat(fleet.placement).containsExactly(Map.entry("acc1", "b"));
        assertThat(fleet.history).containsExactly("acc1 b initial account-acc1");
    }

    @Test
    void whenEveryServerFailsTheAccountIsReportedFailedWithEachReasonAndNothingIsLeftReserved() {
        for (String id : List.of("a", "b", "c", "d")) {
            server(id, 5, true);
        }
        fleet.sessionlessServers.addAll(List.of("a", "b", "c", "d"));
        fleet.unallocated.add("acc1");

        AllocationResult result = run("account-acc1", AllocationRequest.accounts("balanced", List.of("acc1")));

        AccountOutcome outcome = result.outcomes().get(0);
        assertThat(outcome.success()).isFalse();
        // first choice plus 2 alternatives, then it gives up (bounded)
        assertThat(outcome.attempts()).hasSize(3);
        assertThat(outcome.message())
                .contains("account acc1 on server c, step upload-session", "gave up after 3 server(s)");
        assertThat(events)
                .filteredOn(e -> e.startsWith("reserve "))
                .containsExactly("reserve acc1@a", "reserve acc1@b", "reserve acc1@c");
        assertThat(events).filteredOn(e -> e.startsWith("release")).hasSize(3);
        assertThat(fleet.placement).isEmpty();
        assertThat(fleet.history).isEmpty();
    }

    @Test
    void aDeadNodeFailsFastOnScheduleToStartAndTheAccountGoesElsewhere() {
        server("a", 5, false); // no agent polls node-a
        server("b", 5, true);
        fleet.unallocated.add("acc1");
        long before = System.nanoTime();

        AllocationResult result = run(
                "account-acc1",
                AllocationRequest.accounts("balanced", List.of("acc1")).withNodeScheduleToStartSeconds(2));

        AccountOutcome outcome = result.outcomes().get(0);
        assertThat(outcome.success()).isTrue();
        assertThat(outcome.serverId()).isEqualTo("b");
        assertThat(outcome.attempts())
                .singleElement()
                .asString()
                .contains("account acc1 on server a, step start-account", "no worker picked the task up");
        // the task never reached node a, so no stop is attempted there; the upload is removed and the claim released
        assertThat(events).doesNotContain("stop acc1@a").contains("remove acc1@a", "release acc1@a");
        Duration waited = Duration.ofNanos(System.nanoTime() - before);
        assertThat(waited)
                .as("failed fast, after the schedule-to-start timeout, not hung")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(2))
                .isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void fiftyAccountsOnThreeServersOfFivePlaceFifteenAndReportNoCapacityForTheRest() {
        server("a", 5, true);
        server("b", 5, true);
        server("c", 5, true);
        for (int i = 0; i < 50; i++) {
            fleet.unallocated.add("acc%02d".formatted(i));
        }

        AllocationResult result =
                run("allocate-50", AllocationRequest.auto("least_loaded").withParallelism(10));

        assertThat(result.placed()).isEqualTo(15);
        assertThat(result.failed()).isEqualTo(35);
        assertThat(result.outcomes())
                .filteredOn(o -> !o.success())
                .allSatisfy(o -> assertThat(o.message()).contains("step plan", "no capacity"));
        assertThat(fleet.countsByServer().values()).containsOnly(5);
        assertThat(fleet.maxSeen).isLessThanOrEqualTo(5);
    }

    @Test
    void fixedTargetsAreNotMovedWhenTheirServerFails() {
        FakeNode a = server("a", 5, true);
        server("b", 5, true);
        a.refuseStart = true;

        AllocationResult result = run(
                "allocate-batch-1",
                AllocationRequest.fixed(List.of(new FixedTarget("acc1", "a"), new FixedTarget("acc2", "b"))));

        assertThat(result.outcomes())
                .extracting(AccountOutcome::accountId, AccountOutcome::success, AccountOutcome::serverId)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("acc1", false, null),
                        org.assertj.core.groups.Tuple.tuple("acc2", true, "b"));
        assertThat(fleet.placement).containsExactly(Map.entry("acc2", "b"));
        assertThat(fleet.history).containsExactly("acc2 b manual allocate-batch-1");
    }

    @Test
    void migrationStopsOnSourceThenStartsOnTargetAndRollsBackWhenTheTargetFails() {
        FakeNode a = accountOnAWhileBRefusesStarts();
        FakeNode b = nodes.get("b");
        env.start();

        MigrationResult failed = failedMigration(new MigrationRequest("acc1", "b", "server_overload", null));

        assertThat(failed.success()).isFalse();
        assertThat(failed.serverId()).isEqualTo("a");
        assertThat(failed.message()).contains("account acc1 on server b, step start on target", "rolled back");
        assertThat(fleet.placement).containsEntry("acc1", "a");
        assertThat(a.running).contains("acc1");
        assertThat(b.running).doesNotContain("acc1");

        b.refuseStart = false;
        MigrationResult moved = client.newWorkflowStub(
                        MigrateAccountWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                                .setWorkflowId("account-acc1")
                                .build())
                .migrate(new MigrationRequest("acc1", "b", "server_overload", null));
        assertThat(moved.success()).as(moved.toString()).isTrue();
        assertThat(fleet.placement).containsEntry("acc1", "b");
        assertThat(a.running).doesNotContain("acc1");
        assertThat(b.running).contains("acc1");
        assertThat(events)
                .containsSubsequence(
                        "stop acc1@a",
                        "export acc1@a",
                        "fetch acc1@a",
                        "upload acc1@b",
                        "commit acc1@b",
                        "start acc1@b",
                        "complete acc1@b");
        assertThat(fleet.history).containsExactly("acc1 b rebalance account-acc1");
    }

    @Test
    void aSourceThatStoppedTheAccountButCannotExportItMovesItFromTheNewestBackupNamedInTheHistory() {
        FakeNode a = accountOnAWhileBRefusesStarts();
        FakeNode b = nodes.get("b");
        b.refuseStart = false;
        a.refuseExport = true;
        backups.newest.put("acc1", "20261201T030000000Z-abcdef");
        // the source is alive and renews its lease: it confirmed the stop, so no fencing wait is needed
        supervision.renewing.add("a");
        env.start();

        MigrateAccountWorkflow stub = client.newWorkflowStub(
                MigrateAccountWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.CONTROL_PLANE)
                        .setWorkflowId("account-acc1")
                        .build());
        MigrationResult moved = stub.migrate(new MigrationRequest("acc1", "b", "server_overload", null));

        assertThat(moved.success()).as(moved.toString()).isTrue();
        assertThat(fleet.placement).containsEntry("acc1", "b");
        assertThat(b.running).contains("acc1");
        assertThat(events)
                .as("the export is retried, then the newest backup is used instead of failing")
                .containsSubsequence("stop acc1@a", "export acc1@a", "useNewest acc1", "upload acc1@b", "start acc1@b")
                .doesNotContain("fetch acc1@a");
        assertThat(events).filteredOn("export acc1@a"::equals).hasSize(3);
        assertThat(moved.steps())
                .filteredOn(s -> s.step().equals("use newest backup"))
                .singleElement()
                .satisfies(s -> assertThat(s.detail()).contains("backup 20261201T030000000Z-abcdef"));
        // and the history itself records which backup was used
        List<String> results = client.fetchHistory("account-acc1").getEvents().stream()
                .filter(e -> e.hasActivityTaskCompletedEventAttributes())
                .flatMap(e -> e.getActivityTaskCompletedEventAttributes().getResult().getPayloadsList().stream())
                .map(p -> p.getData().toStringUtf8())
                .toList();
        assertThat(results).anyMatch(r -> r.contains("20261201T030000000Z-abcdef"));
    }

    @Test
    void aSourceThatCannotExportWithoutAnyBackupRollsBackToTheSource() {
        FakeNode a = accountOnAWhileBRefusesStarts();
        nodes.get("b").refuseStart = false;
        a.refuseExport = true;
        backups.nothingStored.add("acc1");
        env.start();

        MigrationResult failed = failedMigration(new MigrationRequest("acc1", "b", "server_overload", null));

        assertThat(failed.message()).contains("account acc1 on server a, step use newest backup", "rolled back");
        assertThat(fleet.placement).containsEntry("acc1", "a");
        assertThat(a.running).contains("acc1");
    }

    @Test
    void aFinishedMigrationDeletesTheSourcesExportOnlyAfterTheSwitchAndTheConfirmedStartRetryingIt() {
        FakeNode a = accountOnAWhileBRefusesStarts();
        nodes.get("b").refuseStart = false;
        a.failDiscards = 2; // the source's disk is busy twice: retried
        env.start();

        MigrationResult moved = migrate(new MigrationRequest("acc1", "b", "server_overload", null));

        assertThat(moved.success()).as(moved.toString()).isTrue();
        String export = "/srv/a/exports/acc1.zip";
        assertThat(a.discarded).containsExactly(export);
        assertThat(events)
                .containsSubsequence(
                        "export acc1@a",
                        "fetch acc1@a",
                        "upload acc1@b",
                        "commit acc1@b",
                        "start acc1@b",
                        "complete acc1@b",
                        "discard acc1@a " + export);
        assertThat(events).filteredOn(e -> e.startsWith("discard")).hasSize(3);
        // Nothing before the switch and the confirmed start touched the source's copy.
        assertThat(events.indexOf("discard acc1@a " + export)).isGreaterThan(events.indexOf("start acc1@b"));
        assertThat(events).as("the agent removed the stale session itself").doesNotContain("remove acc1@a");
        assertThat(moved.steps())
                .extracting(io.groupai.fleet.workflows.nodes.StepProgress::step)
                .endsWith("record history", "delete export on source");
    }

    @Test
    void aRolledBackMigrationKeepsTheSourcesExportAndSession() {
        FakeNode a = accountOnAWhileBRefusesStarts();
        env.start();

        MigrationResult failed = failedMigration(new MigrationRequest("acc1", "b", "server_overload", null));

        assertThat(failed.message()).contains("rolled back");
        assertThat(a.running).contains("acc1");
        assertThat(events).contains("export acc1@a", "commit acc1@b", "start acc1@b", "remove acc1@b");
        assertThat(events).noneMatch(e -> e.startsWith("discard")).doesNotContain("remove acc1@a");
        assertThat(a.discarded).isEmpty();
    }

    @Test
    void aSourceThatKeepsRefusingTheDeleteDoesNotFailTheMigrationAndItsSessionIsRemovedOverSsh() {
        FakeNode a = accountOnAWhileBRefusesStarts();
        nodes.get("b").refuseStart = false;
        a.failDiscards = 1_000;
        env.start();

        MigrationResult moved = migrate(new MigrationRequest("acc1", "b", "server_overload", null));

        assertThat(moved.success()).as(moved.toString()).isTrue();
        assertThat(events)
                .filteredOn(e -> e.startsWith("discard"))
                .hasSize(5); // SOURCE_CLEANUP's attempts, then it gives up
        assertThat(events)
                .containsSubsequence("complete acc1@b", "discard acc1@a /srv/a/exports/acc1.zip", "remove acc1@a");
        assertThat(a.discarded).isEmpty();
    }

    private MigrationResult migrate(MigrationRequest request) {
        return client.newWorkflowStub(
                        MigrateAccountWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                                .setWorkflowId("account-" + request.accountId())
                                .build())
                .migrate(request);
    }

    @Test
    void aReleaseThatFailsForAWhileIsRetriedUntilDoneAndTheSiblingsAreUntouched() {
        FakeNode a = server("a", 5, true);
        server("b", 5, true);
        a.refuse.add("acc1");
        fleet.unallocated.addAll(List.of("acc1", "acc2", "acc3", "acc4"));
        fleet.failNext.put("release acc1", 6); // more than the forward steps' three attempts

        AllocationResult result =
                run("allocate-rel", AllocationRequest.auto("balanced").withParallelism(4));

        assertThat(result.placed()).as(result.toString()).isEqualTo(4);
        assertThat(result.outcomes())
                .extracting(AccountOutcome::accountId)
                .containsExactly("acc1", "acc2", "acc3", "acc4");
        assertThat(result.outcomes()).allMatch(AccountOutcome::success);
        AccountOutcome first = result.outcomes().get(0);
        assertThat(first.serverId()).isEqualTo("b");
        assertThat(events).filteredOn("release acc1 failed"::equals).hasSize(6);
        assertThat(events)
                .containsSubsequence("release acc1 failed", "release acc1@a", "reserve acc1@b", "complete acc1@b");
        assertThat(fleet.status)
                .containsOnlyKeys("acc1", "acc2", "acc3", "acc4")
                .allSatisfy((k, v) -> assertThat(v).isEqualTo("online"));
    }

    @Test
    void aContradictionInOneAccountsCompensationFailsOnlyThatAccountNamingTheStep() {
        FakeNode a = server("a", 5, true);
        a.refuse.add("acc1");
        fleet.unallocated.addAll(List.of("acc1", "acc2", "acc3"));
        fleet.contradictions.add("release acc1");

        AllocationResult result =
                run("allocate-contra", AllocationRequest.auto("balanced").withParallelism(3));

        assertThat(result.placed()).as(result.toString()).isEqualTo(2);
        assertThat(result.failed()).isEqualTo(1);
        AccountOutcome acc1 = result.outcomes().get(0);
        assertThat(acc1.accountId()).isEqualTo("acc1");
        assertThat(acc1.success()).isFalse();
        assertThat(acc1.message())
                .contains(
                        "account acc1 on server a, step start-account", "compensation step release", "no row matches");
        assertThat(result.outcomes().subList(1, 3)).allMatch(AccountOutcome::success);
        assertThat(events)
                .as("a contradiction is not retried, and no other server is tried")
                .doesNotContain("reserve acc1@b");
    }

    @Test
    void aFailedStopKeepsTheAccountMarkedFailedEvenWhenMarkingFailsForAWhile() {
        FakeNode a = server("a", 5, true);
        a.refuse.add("acc1");
        a.refuseStop = true;
        fleet.unallocated.addAll(List.of("acc1", "acc2"));
        fleet.failNext.put("markFailed acc1", 5);

        AllocationResult result =
                run("allocate-stop", AllocationRequest.auto("balanced").withParallelism(2));

        assertThat(result.outcomes().get(0).message())
                .contains("could not stop it", "stays assigned to a marked failed");
        assertThat(result.outcomes().get(1).success()).isTrue();
        assertThat(fleet.status).containsEntry("acc1", "failed").containsEntry("acc2", "online");
        assertThat(events).filteredOn("markFailed acc1 failed"::equals).hasSize(5);
    }

    @Test
    void migrationRollbackRetriesTheAbortUntilItIsDone() {
        FakeNode a = accountOnAWhileBRefusesStarts();
        fleet.failNext.put("abort acc1", 6);
        env.start();

        MigrationResult failed = failedMigration(new MigrationRequest("acc1", "b", "server_overload", null));

        assertThat(failed.message()).as(failed.toString()).contains("step start on target", "rolled back");
        assertThat(events).filteredOn("abort acc1 failed"::equals).hasSize(6);
        assertThat(fleet.placement).containsEntry("acc1", "a");
        assertThat(a.running).contains("acc1");
    }

    @Test
    void givenIdsAndFixedTargetsAreWorkedOffInChunksWithEveryOutcomeInRequestOrder() {
        server("a", 10, true);
        server("b", 10, true);
        List<String> ids = List.of("acc5", "acc1", "acc4", "acc2", "acc3");

        AllocationResult byIds =
                run("allocate-ids", AllocationRequest.accounts("balanced", ids).withChunkSize(2));
        AllocationResult fixed = client.newWorkflowStub(
                        AllocateAccountsWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                                .setWorkflowId("allocate-batch-chunks")
                                .build())
                .allocate(AllocationRequest.fixed(List.of(
                                new FixedTarget("f1", "a"), new FixedTarget("f2", "b"), new FixedTarget("f3", "b")))
                        .withChunkSize(2));

        assertThat(byIds.outcomes()).extracting(AccountOutcome::accountId).containsExactlyElementsOf(ids);
        assertThat(byIds.placed()).isEqualTo(5);
        assertThat(fixed.outcomes())
                .extracting(AccountOutcome::accountId, AccountOutcome::serverId)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("f1", "a"),
                        org.assertj.core.groups.Tuple.tuple("f2", "b"),
                        org.assertj.core.groups.Tuple.tuple("f3", "b"));
        assertThat(client.newWorkflowStub(AllocateAccountsWorkflow.class, "allocate-ids")
                        .progress())
                .extracting(AllocationProgress::chunks, AllocationProgress::currentChunk)
                .containsExactly(3, "allocate-ids-chunk-3");
        assertThat(fleet.history)
                .as("claims and history are held under the parent's id, not the chunk's")
                .contains("acc5 a initial allocate-ids", "f3 b manual allocate-batch-chunks");
    }

    /**
     * Runs a migration that must fail: a migration that did not move its account ends FAILED in
     * Temporal (type MigrationFailed), its result riding in the failure's details.
     */
    private MigrationResult failedMigration(MigrationRequest request) {
        MigrateAccountWorkflow stub = client.newWorkflowStub(
                MigrateAccountWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.CONTROL_PLANE)
                        .setWorkflowId("account-" + request.accountId())
                        .build());
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> stub.migrate(request));
        assertThat(thrown).isInstanceOf(io.temporal.client.WorkflowFailedException.class);
        ApplicationFailure failure = (ApplicationFailure) thrown.getCause();
        assertThat(failure.getType()).isEqualTo(FailureTypes.MIGRATION_FAILED);
        assertThat(failure.isNonRetryable()).isTrue();
        MigrationResult result = failure.getDetails().get(MigrationResult.class);
        assertThat(failure.getOriginalMessage()).isEqualTo(result.message());
        assertThat(client.fetchHistory("account-" + request.accountId())
                        .getLastEvent()
                        .getEventType())
                .isEqualTo(io.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
        return result;
    }

    @Test
    void failoverMovesADeadNodesAccountsOnlyAfterItsLeaseExpiredPlusTheMarginAndReportsThoseWithoutRoom() {
        server("a", 10, false); // its agent is dead: nothing polls node-a
        FakeNode b = server("b", 2, true);
        FakeNode c = server("c", 1, true);
        for (String account : List.of("acc1", "acc2", "acc3", "acc4")) {
            fleet.placement.put(account, "a");
            fleet.status.put(account, "online");
        }
        env.start();
        long leaseExpiry = env.currentTimeMillis() + 60_000;
        supervision.leaseExpiry.put("a", leaseExpiry);

        FailoverResult result = client.newWorkflowStub(
                        FailoverWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                                .setWorkflowId("failover-a")
                                .build())
                .failover(new FailoverRequest("a", "3 failed checks", 2));

        assertThat(result.accounts()).isEqualTo(4);
        assertThat(result.moved()).extracting(FailoverResult.Moved::serverId).containsExactlyInAnyOrder("b", "b", "c");
        String left = result.notMoved().get(0).accountId();
        assertThat(result.notMoved())
                .singleElement()
                .satisfies(n -> assertThat(n.reason()).contains("account " + left, "no capacity"));
        assertThat(fleet.placement).as("reported, not dropped").containsEntry(left, "a");
        result.moved().forEach(m -> assertThat(fleet.placement).containsEntry(m.accountId(), m.serverId()));
        assertThat(b.running).hasSize(2);
        assertThat(c.running).hasSize(1);
        assertThat(b.startedAt.values())
                .as("nothing starts elsewhere before the dead node's lease expired plus the margin")
                .allMatch(t -> t >= leaseExpiry + FailoverWorkflowImpl.DEFAULT_MARGIN.toMillis());
        String first = result.moved().get(0).accountId();
        String firstServer = result.moved().get(0).serverId();
        assertThat(events)
                .as("the dead node cannot export: the stored session is uploaded")
                .contains("upload " + first + "@" + firstServer)
                .noneMatch(e -> e.startsWith("export") || e.startsWith("fetch"));
        assertThat(events).as("the newest backup is looked for").contains("useNewest " + first);
        assertThat(fleet.history).contains(first + " " + firstServer + " rebalance account-" + first);
    }

    @Test
    void failoverOfANodeThatRenewsItsLeaseAgainMovesNothing() {
        server("a", 10, true);
        server("b", 10, true);
        fleet.placement.put("acc1", "a");
        env.start();
        supervision.renewing.add("a");

        FailoverResult result = client.newWorkflowStub(
                        FailoverWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                                .setWorkflowId("failover-a")
                                .build())
                .failover(new FailoverRequest("a", null, 0));

        assertThat(result.message()).contains("not needed", "renews its lease");
        assertThat(fleet.placement).containsEntry("acc1", "a");
        assertThat(events).noneMatch(e -> e.startsWith("stop") || e.startsWith("start"));
    }

    /** Lease expiry per server in test-environment time; "renewing" servers keep a lease 90 s ahead. */
    final class FakeSupervision implements SupervisionActivities {
        final Map<String, Long> leaseExpiry = new ConcurrentHashMap<>();
        final Set<String> renewing = ConcurrentHashMap.newKeySet();

        @Override
        public NodeCheck check(String nodeId) {
            throw new UnsupportedOperationException("the supervisor has its own test");
        }

        @Override
        public void record(String nodeId, HealthEvent event) {}

        @Override
        public List<String> accountsOn(String nodeId) {
            return fleet.placement.entrySet().stream()
                    .filter(e -> nodeId.equals(e.getValue()))
                    .map(Map.Entry::getKey)
                    .sorted()
                    .toList();
        }

        @Override
        public long millisUntilFenced(String nodeId, long marginMillis) {
            long now = env.currentTimeMillis();
            if (renewing.contains(nodeId)) {
                return 90_000 + marginMillis;
            }
            Long expiry = leaseExpiry.get(nodeId);
            return expiry == null ? 0 : Math.max(0, expiry + marginMillis - now);
        }
    }

    /** acc1 runs on server a; server b refuses to start anything. Returns a. */
    private FakeNode accountOnAWhileBRefusesStarts() {
        FakeNode a = server("a", 5, true);
        server("b", 5, true).refuseStart = true;
        fleet.placement.put("acc1", "a");
        fleet.status.put("acc1", "online");
        a.running.add("acc1");
        return a;
    }

    // --- in-test activity implementations -------------------------------------------------

    /** The database, in memory: capacity per server, one server per account, claims by workflow id. */
    final class FakeFleet implements AllocationActivities {
        @Override
        public List<ReservedAccount> reserveBatch(ReserveBatchRequest request) {
            events.add("reserveBatch " + request.serverId() + " " + request.accountIds());
            return OneByOne.reserve(this, request);
        }

        @Override
        public Map<String, String> completeBatch(List<CompleteRequest> requests) {
            events.add("completeBatch " + requests.get(0).serverId() + " "
                    + requests.stream().map(CompleteRequest::accountId).toList());
            return OneByOne.complete(this, requests);
        }

        final Map<String, Integer> max = new TreeMap<>();
        final Map<String, String> placement = new ConcurrentHashMap<>();
        final Map<String, String> reserved = new ConcurrentHashMap<>();
        final Map<String, String> owner = new ConcurrentHashMap<>();
        final Map<String, String> status = new ConcurrentHashMap<>();
        final List<String> unallocated = Collections.synchronizedList(new ArrayList<>());
        final List<String> history = Collections.synchronizedList(new ArrayList<>());
        final Set<String> sessionlessServers = ConcurrentHashMap.newKeySet();
        /** Compensation calls (e.g. "release acc1") that fail this many more times with a retryable error. */
        final Map<String, Integer> failNext = new ConcurrentHashMap<>();
        /** Compensation calls that fail with a non-retryable contradiction. */
        final Set<String> contradictions = ConcurrentHashMap.newKeySet();

        volatile int maxSeen;

        /** Injected failures of compensation steps: a database that is away for a while, or a contradiction. */
        void maybeFail(String call) {
            if (contradictions.contains(call)) {
                throw ApplicationFailure.newNonRetryableFailure(
                        call + ": no row matches this claim", "ClaimContradiction");
            }
            Integer left = failNext.computeIfPresent(call, (k, n) -> n - 1);
            if (left != null && left >= 0) {
                events.add(call + " failed");
                throw ApplicationFailure.newFailure(call + ": database unavailable", "TransientDatabaseFailure");
            }
        }

        synchronized Map<String, Integer> countsByServer() {
            Map<String, Integer> counts = new TreeMap<>();
            placement.values().forEach(s -> counts.merge(s, 1, Integer::sum));
            return counts;
        }

        synchronized int committed(String server) {
            return (int) (placement.values().stream().filter(server::equals).count()
                    + reserved.values().stream().filter(server::equals).count());
        }

        @Override
        public synchronized List<String> unallocatedAccounts(String afterAccountId, int limit) {
            return unallocated.stream()
                    .sorted()
                    .filter(a -> afterAccountId == null || a.compareTo(afterAccountId) > 0)
                    .filter(a -> !placement.containsKey(a))
                    .limit(limit)
                    .toList();
        }

        @Override
        public synchronized PlanResult plan(PlanRequest request) {
            Map<String, Integer> planned = new TreeMap<>();
            max.keySet().forEach(s -> planned.put(s, committed(s)));
            List<PlannedPlacement> placements = new ArrayList<>();
            List<UnplacedAccount> unplaced = new ArrayList<>();
            for (String account : request.accountIds()) {
                String best = planned.entrySet().stream()
                        .filter(e ->
                                !request.excludedServerIds().contains(e.getKey()) && e.getValue() < max.get(e.getKey()))
                        .min(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                        .map(Map.Entry::getKey)
                        .orElse(null);
                if (best == null) {
                    unplaced.add(new UnplacedAccount(account, "no capacity: all eligible servers are full"));
                } else {
                    planned.merge(best, 1, Integer::sum);
                    placements.add(new PlannedPlacement(account, best, 10.0 * planned.get(best)));
                }
            }
            return new PlanResult(request.strategy(), placements, unplaced);
        }

        @Override
        public synchronized Reservation reserve(ReserveRequest r) {
            events.add("reserve " + r.accountId() + "@" + r.serverId());
            if (r.serverId().equals(placement.get(r.accountId()))
                    && r.workflowId().equals(owner.get(r.accountId()))) {
                return new Reservation(r.accountId(), r.serverId(), 1, null);
            }
            if (placement.containsKey(r.accountId())) {
                throw ApplicationFailure.newNonRetryableFailure("account taken", FailureTypes.ACCOUNT_UNAVAILABLE);
            }
            if (committed(r.serverId()) >= max.get(r.serverId())) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "server " + r.serverId() + " full", FailureTypes.NO_CAPACITY);
            }
            placement.put(r.accountId(), r.serverId());
            owner.put(r.accountId(), r.workflowId());
            status.put(r.accountId(), "allocating");
            maxSeen = Math.max(maxSeen, committed(r.serverId()));
            return new Reservation(r.accountId(), r.serverId(), 12.5, "script-1");
        }

        @Override
        public synchronized void release(ReserveRequest r) {
            maybeFail("release " + r.accountId());
            events.add("release " + r.accountId() + "@" + r.serverId());
            if (r.serverId().equals(placement.get(r.accountId()))
                    && r.workflowId().equals(owner.get(r.accountId()))) {
                placement.remove(r.accountId());
                owner.remove(r.accountId());
                status.remove(r.accountId());
            }
        }

        @Override
        public synchronized void markFailed(ReserveRequest r, String reason) {
            maybeFail("markFailed " + r.accountId());
            events.add("markFailed " + r.accountId() + "@" + r.serverId());
            status.put(r.accountId(), "failed");
        }

        @Override
        public synchronized void complete(CompleteRequest r) {
            events.add("complete " + r.accountId() + "@" + r.serverId());
            history.add(r.accountId() + " " + r.serverId() + " " + r.type().wireName() + " " + r.workflowId());
            status.put(r.accountId(), "online");
            owner.remove(r.accountId());
        }

        @Override
        public synchronized MigrationPlan prepareMigration(MigrationRequest request, String workflowId) {
            String source = placement.get(request.accountId());
            String target = request.targetServerId();
            if (target == null) {
                // The planner's choice: the least used other server with room, by id on a tie.
                target = max.keySet().stream()
                        .filter(s -> !s.equals(source) && committed(s) < max.get(s))
                        .min(java.util.Comparator.<String>comparingInt(this::committed)
                                .thenComparing(java.util.Comparator.naturalOrder()))
                        .orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
                                "no capacity: no server other than " + source + " has room for account "
                                        + request.accountId(),
                                FailureTypes.NO_CAPACITY));
            }
            reserved.put(request.accountId(), target);
            owner.put(request.accountId(), workflowId);
            return new MigrationPlan(request.accountId(), source, target, 20, null);
        }

        @Override
        public synchronized void commitMigration(MigrationPlan plan, String workflowId) {
            events.add("commit " + plan.accountId() + "@" + plan.targetServerId());
            placement.put(plan.accountId(), plan.targetServerId());
            reserved.remove(plan.accountId());
        }

        @Override
        public synchronized void abortMigration(MigrationPlan plan, String workflowId, String reason) {
            maybeFail("abort " + plan.accountId());
            events.add("abort " + plan.accountId() + "@" + plan.targetServerId());
            placement.put(plan.accountId(), plan.sourceServerId());
            reserved.remove(plan.accountId());
            owner.remove(plan.accountId());
        }
    }

    /** The session store's backups: the newest one of an account, if any. */
    final class FakeBackups implements io.groupai.fleet.workflows.backup.SessionBackupActivities {
        final Map<String, String> newest = new ConcurrentHashMap<>();
        final Set<String> nothingStored = ConcurrentHashMap.newKeySet();

        @Override
        public List<io.groupai.fleet.workflows.backup.BackupCandidate> candidates(List<String> accountIds) {
            throw new UnsupportedOperationException("not used by migration");
        }

        @Override
        public io.groupai.fleet.workflows.backup.BackupInfo fetchBackup(
                String accountId, String serverId, String remotePath, String expectedSha256) {
            throw new UnsupportedOperationException("not used by migration");
        }

        @Override
        public List<String> prune(String accountId, int keep) {
            throw new UnsupportedOperationException("not used by migration");
        }

        @Override
        public io.groupai.fleet.workflows.backup.BackupInfo restore(String accountId, String backupId) {
            throw new UnsupportedOperationException("not used by migration");
        }

        @Override
        public io.groupai.fleet.workflows.backup.BackupInfo useNewest(String accountId) {
            events.add("useNewest " + accountId);
            String id = newest.get(accountId);
            if (nothingStored.contains(accountId)) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "the control plane holds neither a session nor a backup of account " + accountId,
                        FailureTypes.NO_SESSION);
            }
            return new io.groupai.fleet.workflows.backup.BackupInfo(
                    accountId, id, "2026-12-01T03:00:00Z", "ef", 10, "backup from a");
        }

        @Override
        public io.groupai.fleet.workflows.backup.BackupCandidate placement(String accountId) {
            throw new UnsupportedOperationException("not used by migration");
        }
    }

    final class FakeSessions implements SessionTransferActivities {
        @Override
        public List<UploadedAccount> uploadBatch(String serverId, List<String> accountIds) {
            events.add("uploadBatch " + serverId + " " + accountIds);
            return OneByOne.upload(this, serverId, accountIds);
        }

        @Override
        public UploadedSession upload(String accountId, String serverId) {
            events.add("upload " + accountId + "@" + serverId);
            if (fleet.sessionlessServers.contains(serverId)) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "server " + serverId + ", step upload: DISK_FULL: no space",
                        FailureTypes.NON_RETRYABLE_NODE_FAILURE);
            }
            return new UploadedSession(
                    accountId, serverId, "/srv/" + serverId + "/sessions/" + accountId + "/session.zip", "ab", 10);
        }

        @Override
        public void remove(String accountId, String serverId) {
            events.add("remove " + accountId + "@" + serverId);
        }

        @Override
        public UploadedSession fetchExported(
                String accountId, String serverId, String remotePath, String expectedSha256) {
            events.add("fetch " + accountId + "@" + serverId);
            return new UploadedSession(accountId, serverId, remotePath, "cd", 10);
        }
    }

    final class FakeNode implements NodeAgentActivities {
        @Override
        public java.util.List<io.groupai.fleet.workflows.agent.StartedAccount> startAccounts(
                java.util.List<StartAccountRequest> requests) {
            events.add("startAccounts " + id + " "
                    + requests.stream().map(StartAccountRequest::accountId).toList());
            return io.groupai.fleet.workflows.allocation.OneByOne.start(this, requests);
        }

        final String id;
        final Set<String> running = ConcurrentHashMap.newKeySet();
        /** account → test-environment time of its latest start here. */
        final Map<String, Long> startedAt = new ConcurrentHashMap<>();

        volatile boolean refuseStart;
        volatile boolean refuseExport;
        volatile boolean refuseStop;
        /** How many discard calls fail (transiently) before one succeeds. */
        volatile int failDiscards;
        /** Export paths deleted here. */
        final List<String> discarded = new java.util.concurrent.CopyOnWriteArrayList<>();

        final Set<String> refuse = ConcurrentHashMap.newKeySet();

        FakeNode(String id) {
            this.id = id;
        }

        @Override
        public AccountRuntimeState startAccount(StartAccountRequest request) {
            events.add("start " + request.accountId() + "@" + id);
            if (refuseStart || refuse.contains(request.accountId())) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "server " + id + ": disk quota exceeded", FailureTypes.NON_RETRYABLE_NODE_FAILURE);
            }
            running.add(request.accountId());
            startedAt.put(request.accountId(), env.currentTimeMillis());
            return new AccountRuntimeState(request.accountId(), "online", request.scriptId(), null);
        }

        @Override
        public AccountRuntimeState stopAccount(String accountId) {
            events.add("stop " + accountId + "@" + id);
            if (refuseStop) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "server " + id + ": stop refused", FailureTypes.NON_RETRYABLE_NODE_FAILURE);
            }
            running.remove(accountId);
            return new AccountRuntimeState(accountId, "stopped", null, null);
        }

        @Override
        public List<AccountRuntimeState> listAccounts() {
            return running.stream()
                    .sorted(Comparator.naturalOrder())
                    .map(a -> new AccountRuntimeState(a, "online", null, null))
                    .toList();
        }

        @Override
        public ExportedSession exportSession(String accountId) {
            events.add("export " + accountId + "@" + id);
            if (refuseExport) {
                throw ApplicationFailure.newFailure("server " + id + ": export failed: I/O error", "Flaky");
            }
            return new ExportedSession(accountId, "/srv/" + id + "/exports/" + accountId + ".zip", 10, "cd");
        }

        @Override
        public NodePing ping() {
            return new NodePing(id, "test", "simulated", running.size(), 1);
        }

        @Override
        public SessionInfo installSession(String accountId) {
            return new SessionInfo(accountId, "tdlib", 2, 1L, 10, "ab");
        }

        @Override
        public void removeSession(String accountId) {}

        @Override
        public void discardMigratedSession(String accountId, String exportPath) {
            events.add("discard " + accountId + "@" + id + " " + exportPath);
            if (failDiscards > 0) {
                failDiscards--;
                throw ApplicationFailure.newFailure(
                        "server " + id + ": disk busy", FailureTypes.NODE_TRANSIENT_FAILURE);
            }
            discarded.add(exportPath);
        }

        @Override
        public ScriptInstallResult installScript(InstallScriptRequest request) {
            throw new UnsupportedOperationException("not used by allocation");
        }

        @Override
        public void removeScript(String scriptId) {
            throw new UnsupportedOperationException("not used by allocation");
        }

        @Override
        public SentMessage sendMessage(SendMessageRequest request) {
            throw new UnsupportedOperationException("not used by allocation");
        }
    }
}
