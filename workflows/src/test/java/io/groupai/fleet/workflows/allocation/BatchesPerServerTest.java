package io.groupai.fleet.workflows.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.workflows.TaskQueues;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A chunk keeps at most {@link AllocateChunkWorkflowImpl#MAX_BATCHES_PER_SERVER} batches of one server in
 * flight, whatever its parallelism, while another server's batches run beside them.
 */
class BatchesPerServerTest {

    private final TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();

    @AfterEach
    void tearDown() {
        env.close();
    }

    @Test
    void oneServersBatchesAreCappedWhileAnotherServersRunBesideThem() {
        CountingSessions sessions = new CountingSessions();
        Worker worker = env.newWorker(TaskQueues.CONTROL_PLANE);
        worker.registerWorkflowImplementationTypes(AllocateChunkWorkflowImpl.class);
        worker.registerActivitiesImplementations(new AllocationHistoryBoundTest.QuickFleet(), sessions);
        for (String server : List.of("big", "small")) {
            env.newWorker(TaskQueues.node(server))
                    .registerActivitiesImplementations(new AllocationHistoryBoundTest.QuickNode());
        }
        env.start();
        List<PlannedPlacement> placements = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            placements.add(new PlannedPlacement("big%03d".formatted(i), "big", 1.0));
        }
        for (int i = 0; i < 30; i++) {
            placements.add(new PlannedPlacement("small%03d".formatted(i), "small", 1.0));
        }

        AllocationResult result = env.getWorkflowClient()
                .newWorkflowStub(
                        AllocateChunkWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                                .setWorkflowId("chunk-per-server")
                                .build())
                .allocate(new ChunkRequest(
                        "chunk-per-server", AllocationType.INITIAL, "balanced", false, placements, 8, 0, null));

        assertThat(result.placed()).isEqualTo(130);
        assertThat(sessions.max.get("big").get()).isEqualTo(AllocateChunkWorkflowImpl.MAX_BATCHES_PER_SERVER);
        assertThat(sessions.maxTotal.get())
                .as("the other server's batches ran beside the capped one's")
                .isGreaterThan(AllocateChunkWorkflowImpl.MAX_BATCHES_PER_SERVER);
    }

    /** Uploads that take a moment, counting how many run at once per server and in all. */
    static final class CountingSessions implements SessionTransferActivities {
        final Map<String, AtomicInteger> now = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> max = new ConcurrentHashMap<>();
        final AtomicInteger total = new AtomicInteger();
        final AtomicInteger maxTotal = new AtomicInteger();
        private final AllocationHistoryBoundTest.QuickSessions quick = new AllocationHistoryBoundTest.QuickSessions();

        @Override
        public List<UploadedAccount> uploadBatch(String serverId, List<String> accountIds) {
            int running =
                    now.computeIfAbsent(serverId, k -> new AtomicInteger()).incrementAndGet();
            max.computeIfAbsent(serverId, k -> new AtomicInteger()).accumulateAndGet(running, Math::max);
            maxTotal.accumulateAndGet(total.incrementAndGet(), Math::max);
            try {
                Thread.sleep(300);
                return quick.uploadBatch(serverId, accountIds);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                now.get(serverId).decrementAndGet();
                total.decrementAndGet();
            }
        }

        @Override
        public UploadedSession upload(String accountId, String serverId) {
            return quick.upload(accountId, serverId);
        }

        @Override
        public void remove(String accountId, String serverId) {}

        @Override
        public UploadedSession fetchExported(
                String accountId, String serverId, String remotePath, String expectedSha256) {
            throw new UnsupportedOperationException();
        }
    }
}
