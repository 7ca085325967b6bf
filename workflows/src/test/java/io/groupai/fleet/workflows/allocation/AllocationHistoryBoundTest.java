package io.groupai.fleet.workflows.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.agent.AccountRuntimeState;
import io.groupai.fleet.workflows.agent.NodePing;
import io.groupai.fleet.workflows.agent.StartAccountRequest;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * 10,000 accounts through {@link AllocateAccountsWorkflow} with in-test activities (no I/O), to
 * show that no run's history grows with the number of accounts: the parent pages and continues as
 * new, each chunk is its own child workflow. Every run of the parent and every chunk is read back
 * and its event count checked.
 */
class AllocationHistoryBoundTest {

    private static final int ACCOUNTS = 10_000;
    private static final int SERVERS = 10;
    /** Well below Temporal's 51,200-event limit, whatever the number of accounts. */
    private static final int MAX_EVENTS_PER_RUN = 10_000;

    private final TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    private final QuickFleet fleet = new QuickFleet();

    @AfterEach
    void tearDown() {
        env.close();
    }

    @Test
    void tenThousandAccountsKeepEveryRunsHistoryBoundedAndTheTotalsRight() {
        Worker worker = env.newWorker(TaskQueues.CONTROL_PLANE);
        worker.registerWorkflowImplementationTypes(AllocateAccountsWorkflowImpl.class, AllocateChunkWorkflowImpl.class);
        worker.registerActivitiesImplementations(fleet, new QuickSessions());
        for (int s = 0; s < SERVERS; s++) {
            env.newWorker(TaskQueues.node("s" + s)).registerActivitiesImplementations(new QuickNode());
        }
        IntStream.range(0, ACCOUNTS).mapToObj("acc%05d"::formatted).forEach(fleet.unallocated::add);
        env.start();
        WorkflowClient client = env.getWorkflowClient();

        AllocateAccountsWorkflow workflow = client.newWorkflowStub(
                AllocateAccountsWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setTaskQueue(TaskQueues.CONTROL_PLANE)
                        .setWorkflowId("allocate-10k")
                        .build());
        String firstRun = WorkflowClient.start(
                        workflow::allocate, AllocationRequest.auto("balanced").withParallelism(50))
                .getRunId();
        AllocationResult result = WorkflowStub.fromTyped(workflow).getResult(AllocationResult.class);
        AllocationProgress totals = client.newWorkflowStub(AllocateAccountsWorkflow.class, "allocate-10k")
                .progress();

        assertThat(result.requested()).isEqualTo(ACCOUNTS);
        assertThat(result.placed()).isEqualTo(ACCOUNTS);
        assertThat(result.failed()).isZero();
        assertThat(result.outcomes())
                .as("totals only above %d accounts", AllocationResult.MAX_OUTCOMES)
                .isEmpty();
        assertThat(fleet.completed).hasSize(ACCOUNTS);
        assertThat(fleet.unallocated).isEmpty();
        assertThat(totals)
                .extracting(
                        AllocationProgress::accounts,
                        AllocationProgress::planned,
                        AllocationProgress::placed,
                        AllocationProgress::failed,
                        AllocationProgress::running)
                .containsExactly(ACCOUNTS, ACCOUNTS, ACCOUNTS, 0, 0);

        // every run of the parent: follow the continue-as-new chain from the first run
        List<Integer> parentRuns = new ArrayList<>();
        String runId = firstRun;
        while (runId != null) {
            WorkflowExecutionHistory history = client.fetchHistory("allocate-10k", runId);
            parentRuns.add(history.getEvents().size());
            HistoryEvent last = history.getLastEvent();
            runId = last.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
                    ? last.getWorkflowExecutionContinuedAsNewEventAttributes().getNewExecutionRunId()
                    : null;
        }
        int chunks = ACCOUNTS / AllocationRequest.DEFAULT_CHUNK_SIZE;
        List<Integer> chunkRuns = IntStream.rangeClosed(1, chunks)
                .mapToObj(n -> client.fetchHistory("allocate-10k-chunk-" + n)
                        .getEvents()
                        .size())
                .toList();
        System.out.printf(
                "10,000 accounts: %d parent runs, largest %d events; %d chunks, largest %d events%n",
                parentRuns.size(),
                parentRuns.stream().mapToInt(Integer::intValue).max().orElse(0),
                chunkRuns.size(),
                chunkRuns.stream().mapToInt(Integer::intValue).max().orElse(0));

        // a run ends after CHUNKS_PER_RUN chunks without knowing whether more follow: the last run finds none
        assertThat(parentRuns)
                .as("continued as new every %d chunks", AllocateAccountsWorkflowImpl.CHUNKS_PER_RUN)
                .hasSize(chunks / AllocateAccountsWorkflowImpl.CHUNKS_PER_RUN + 1)
                .allSatisfy(n -> assertThat(n).isLessThan(MAX_EVENTS_PER_RUN));
        assertThat(chunkRuns).allSatisfy(n -> assertThat(n).isLessThan(MAX_EVENTS_PER_RUN));
    }

    /** Capacity for everyone, round robin over the servers, O(1) per call. */
    static final class QuickFleet implements AllocationActivities {
        @Override
        public List<ReservedAccount> reserveBatch(ReserveBatchRequest request) {
            return OneByOne.reserve(this, request);
        }

        @Override
        public Map<String, String> completeBatch(List<CompleteRequest> requests) {
            return OneByOne.complete(this, requests);
        }

        final NavigableSet<String> unallocated = new ConcurrentSkipListSet<>();
        final Map<String, String> completed = new ConcurrentHashMap<>();
        private int next;

        @Override
        public List<String> unallocatedAccounts(String afterAccountId, int limit) {
            NavigableSet<String> after =
                    afterAccountId == null ? unallocated : unallocated.tailSet(afterAccountId, false);
            return after.stream().limit(limit).toList();
        }

        @Override
        public synchronized PlanResult plan(PlanRequest request) {
            List<PlannedPlacement> placements = request.accountIds().stream()
                    .map(a -> new PlannedPlacement(a, "s" + (next++ % SERVERS), 1.0))
                    .toList();
            return new PlanResult(request.strategy(), placements, List.of());
        }

        @Override
        public Reservation reserve(ReserveRequest r) {
            unallocated.remove(r.accountId());
            return new Reservation(r.accountId(), r.serverId(), 1.0, null);
        }

        @Override
        public void release(ReserveRequest r) {
            unallocated.add(r.accountId());
        }

        @Override
        public void markFailed(ReserveRequest r, String reason) {}

        @Override
        public void complete(CompleteRequest r) {
            completed.put(r.accountId(), r.serverId());
        }

        @Override
        public MigrationPlan prepareMigration(MigrationRequest request, String workflowId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void commitMigration(MigrationPlan plan, String workflowId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void abortMigration(MigrationPlan plan, String workflowId, String reason) {
            throw new UnsupportedOperationException();
        }
    }

    static final class QuickSessions implements SessionTransferActivities {
        @Override
        public List<UploadedAccount> uploadBatch(String serverId, List<String> accountIds) {
            return OneByOne.upload(this, serverId, accountIds);
        }

        @Override
        public UploadedSession upload(String accountId, String serverId) {
            return new UploadedSession(accountId, serverId, "/srv/" + serverId + "/sessions/" + accountId, "ab", 1);
        }

        @Override
        public void remove(String accountId, String serverId) {}

        @Override
        public UploadedSession fetchExported(
                String accountId, String serverId, String remotePath, String expectedSha256) {
            throw new UnsupportedOperationException();
        }
    }

    static final class QuickNode extends io.groupai.fleet.workflows.agent.NodeAgentForTests {
        @Override
        public AccountRuntimeState startAccount(StartAccountRequest request) {
            return new AccountRuntimeState(request.accountId(), "online", null, null);
        }

        @Override
        public AccountRuntimeState stopAccount(String accountId) {
            return new AccountRuntimeState(accountId, "stopped", null, null);
        }

        @Override
        public List<AccountRuntimeState> listAccounts() {
            return List.of();
        }

        @Override
        public NodePing ping() {
            return new NodePing("s", "test", "simulated", 0, 1);
        }
    }
}
