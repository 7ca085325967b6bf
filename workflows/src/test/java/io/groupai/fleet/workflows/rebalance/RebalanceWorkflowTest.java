package io.groupai.fleet.workflows.rebalance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.allocation.MigrateAccountWorkflow;
import io.groupai.fleet.workflows.allocation.MigrationRequest;
import io.groupai.fleet.workflows.allocation.MigrationResult;
import io.groupai.fleet.workflows.nodes.StepProgress;
import io.groupai.fleet.workflows.rebalance.RebalanceTrigger.Kind;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rebalance workflow on Temporal's time-skipping test server, with a fake planner and fake
 * migrations (each takes 10 s of workflow time): a dry run moves nothing; moves run as
 * {@code account-<id>} children with reason "rebalance", never two at once on one server and never more
 * than the parallelism; a failed move does not stop the others and the run ends FAILED with the report.
 */
class RebalanceWorkflowTest {

    /** What each fake migration saw: account, target, reason, start and end (workflow time). */
    record Ran(String workflowId, String accountId, String target, String reason, long start, long end) {}

    static final List<Ran> RAN = new CopyOnWriteArrayList<>();
    static final Map<String, String> SOURCE = new ConcurrentHashMap<>();
    static volatile String failing;

    private TestWorkflowEnvironment env;
    private WorkflowClient client;
    private final FakePlanner planner = new FakePlanner();

    @BeforeEach
    void setUp() {
        RAN.clear();
        SOURCE.clear();
        failing = null;
        env = TestWorkflowEnvironment.newInstance();
        Worker worker = env.newWorker(TaskQueues.CONTROL_PLANE);
        worker.registerWorkflowImplementationTypes(RebalanceWorkflowImpl.class, FakeMigration.class);
        worker.registerActivitiesImplementations(planner);
        client = env.getWorkflowClient();
        env.start();
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    static RebalanceMove move(String account, String from, String to) {
        SOURCE.put(account, from);
        return new RebalanceMove(account, from, to, Kind.SPREAD);
    }

    private RebalanceWorkflow stub() {
        return client.newWorkflowStub(
                RebalanceWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.CONTROL_PLANE)
                        .setWorkflowId(WorkflowIds.rebalanceNow())
                        .build());
    }

    @Test
    void aDryRunPlansAndMovesNothing() {
        planner.moves = List.of(move("a1", "s1", "s2"), move("a2", "s1", "s3"));
        RebalanceReport report = stub().rebalance(new RebalanceRequest(true, null, null, null, null));
        assertThat(report.phase()).isEqualTo(RebalanceReport.DRY_RUN);
        assertThat(report.planned()).isEqualTo(2);
        assertThat(report.moved()).isZero();
        assertThat(report.moves()).allMatch(m -> m.state() == MoveOutcome.State.PENDING);
        assertThat(RAN).isEmpty();
        assertThat(planner.requests)
                .singleElement()
                .satisfies(r -> assertThat(r.dryRun()).isTrue());
    }

    @Test
    void movesRunAsAccountChildrenOneAtATimePerServerWithinTheParallelism() {
        // s1 sheds four accounts: they must go one after the other; s5→s6 and s7→s8 may run beside them.
        planner.moves = List.of(
                move("a1", "s1", "s2"),
                move("a2", "s1", "s3"),
                move("a3", "s1", "s4"),
                move("a4", "s1", "s2"),
                move("b1", "s5", "s6"),
                move("c1", "s7", "s8"));
        planner.maxParallel = 2;
        RebalanceReport report = stub().rebalance(RebalanceRequest.scheduled());

        assertThat(report.phase()).isEqualTo(RebalanceReport.DONE);
        assertThat(report.moved()).isEqualTo(6);
        assertThat(report.failed()).isZero();
        assertThat(RAN).hasSize(6).allSatisfy(r -> {
            assertThat(r.workflowId()).isEqualTo("account-" + r.accountId());
            assertThat(r.reason()).isEqualTo(RebalanceWorkflowImpl.REASON);
        });
        for (Ran a : RAN) {
            int atOnce = 0;
            for (Ran b : RAN) {
                if (a.start() >= b.start() && a.start() < b.end()) {
                    atOnce++;
                    if (a != b) {
                        assertThat(List.of(SOURCE.get(b.accountId()), b.target()))
                                .as("%s and %s overlap on a server", a, b)
                                .doesNotContainAnyElementsOf(List.of(SOURCE.get(a.accountId()), a.target()));
                    }
                }
            }
            assertThat(atOnce).as("parallelism").isLessThanOrEqualTo(2);
        }
        // Bounded but parallel: 6 moves of 10 s, two at a time, in 4 rounds at most (s1's four are serial).
        long span = RAN.stream().mapToLong(Ran::end).max().orElseThrow()
                - RAN.stream().mapToLong(Ran::start).min().orElseThrow();
        assertThat(span).isLessThanOrEqualTo(Duration.ofSeconds(41).toMillis());
    }

    @Test
    void aFailedMoveIsReportedTheOthersGoOnAndTheRunEndsFailed() {
        planner.moves = List.of(move("a1", "s1", "s2"), move("bad", "s3", "s4"), move("a3", "s5", "s6"));
        failing = "bad";
        RebalanceWorkflow stub = stub();

        assertThatThrownBy(() -> stub.rebalance(RebalanceRequest.scheduled()))
                .isInstanceOf(WorkflowFailedException.class)
                .satisfies(e -> {
                    ApplicationFailure cause = (ApplicationFailure) e.getCause();
                    assertThat(cause.getType()).isEqualTo(FailureTypes.REBALANCE_INCOMPLETE);
                    assertThat(cause.getOriginalMessage())
                            .contains("2 of 3 planned moves done", "bad", "target s4 refused");
                    RebalanceReport details = cause.getDetails().get(RebalanceReport.class);
                    assertThat(details.failed()).isEqualTo(1);
                });
        assertThat(RAN).extracting(Ran::accountId).containsExactlyInAnyOrder("a1", "bad", "a3");
        RebalanceReport progress = client.newWorkflowStub(RebalanceWorkflow.class, WorkflowIds.rebalanceNow())
                .progress();
        assertThat(progress.moved()).isEqualTo(2);
        assertThat(progress.moves())
                .filteredOn(m -> m.state() == MoveOutcome.State.FAILED)
                .singleElement()
                .satisfies(m -> assertThat(m.detail()).contains("target s4 refused"));
        WorkflowExecutionStatus status = client.getWorkflowServiceStubs()
                .blockingStub()
                .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                        .setNamespace(client.getOptions().getNamespace())
                        .setExecution(io.temporal.api.common.v1.WorkflowExecution.newBuilder()
                                .setWorkflowId(WorkflowIds.rebalanceNow()))
                        .build())
                .getWorkflowExecutionInfo()
                .getStatus();
        assertThat(status).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED);
    }

    @Test
    void nothingToMoveIsDone() {
        planner.moves = List.of();
        RebalanceReport report = stub().rebalance(RebalanceRequest.scheduled());
        assertThat(report.phase()).isEqualTo(RebalanceReport.DONE);
        assertThat(report.message()).contains("balanced");
        assertThat(RAN).isEmpty();
    }

    static final class FakePlanner implements RebalanceActivities {
        volatile List<RebalanceMove> moves = List.of();
        volatile int maxParallel = 4;
        final List<RebalanceRequest> requests = new CopyOnWriteArrayList<>();

        @Override
        public RebalancePlan plan(RebalanceRequest request) {
            requests.add(request);
            return new RebalancePlan(
                    moves.isEmpty() ? List.of() : List.of(new RebalanceTrigger(Kind.SPREAD, null, "spread 80 points")),
                    moves,
                    List.of(),
                    moves.size(),
                    moves.size(),
                    30,
                    30,
                    80,
                    20,
                    1,
                    maxParallel,
                    1,
                    moves.isEmpty() ? "balanced" : moves.size() + " moves");
        }
    }

    /** Stands in for the migration: 10 s of workflow time; the account named {@link #failing} fails. */
    public static class FakeMigration implements MigrateAccountWorkflow {
        @Override
        public MigrationResult migrate(MigrationRequest request) {
            long start = Workflow.currentTimeMillis();
            Workflow.sleep(Duration.ofSeconds(10));
            RAN.add(new Ran(
                    Workflow.getInfo().getWorkflowId(),
                    request.accountId(),
                    request.targetServerId(),
                    request.reason(),
                    start,
                    Workflow.currentTimeMillis()));
            if (request.accountId().equals(failing)) {
                throw ApplicationFailure.newNonRetryableFailure(
                        "account " + request.accountId() + ", step reserve target: target " + request.targetServerId()
                                + " refused",
                        FailureTypes.MIGRATION_FAILED);
            }
            return new MigrationResult(
                    request.accountId(),
                    true,
                    SOURCE.get(request.accountId()),
                    request.targetServerId(),
                    request.targetServerId(),
                    "moved",
                    new ArrayList<StepProgress>());
        }

        @Override
        public List<StepProgress> progress() {
            return List.of();
        }
    }
}
