package io.groupai.fleet.app.gate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.worker.v1.WorkerHeartbeat;
import io.temporal.api.workflowservice.v1.PollActivityTaskQueueRequest;
import io.temporal.api.workflowservice.v1.PollActivityTaskQueueResponse;
import io.temporal.api.workflowservice.v1.RecordWorkerHeartbeatRequest;
import io.temporal.api.workflowservice.v1.RespondActivityTaskCompletedRequest;
import io.temporal.api.workflowservice.v1.ShutdownWorkerRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The decisions the gate's integration test cannot easily provoke through a real SDK worker. */
class GatePolicyTest {

    private final MutableClock clock = new MutableClock();
    private final GatePolicy policy = new GatePolicy("default", Duration.ofHours(1), clock);

    @Test
    void workerHeartbeatsAndShutdownOnlyForItsOwnQueueAndNoStickyQueue() {
        byte[] own = RecordWorkerHeartbeatRequest.newBuilder()
                .setNamespace("default")
                .addWorkerHeartbeat(WorkerHeartbeat.newBuilder().setTaskQueue("node-a"))
                .build()
                .toByteArray();
        byte[] other = RecordWorkerHeartbeatRequest.newBuilder()
                .setNamespace("default")
                .addWorkerHeartbeat(WorkerHeartbeat.newBuilder().setTaskQueue("node-b"))
                .build()
                .toByteArray();
        assertThat(policy.refusal("a", GatePolicy.WORKER_HEARTBEAT, own)).isNull();
        assertThat(policy.refusal("a", GatePolicy.WORKER_HEARTBEAT, other)).contains("own task queue node-a");

        // ShutdownWorker never reaches Temporal: the gate answers it (a node has no sticky queue to release).
        assertThat(GatePolicy.answeredByGate(GatePolicy.SHUTDOWN_WORKER)).isTrue();
        assertThat(GatePolicy.answeredByGate(GatePolicy.POLL_ACTIVITY)).isFalse();
        assertThat(policy.refusal(
                        "a",
                        GatePolicy.SHUTDOWN_WORKER,
                        ShutdownWorkerRequest.newBuilder()
                                .setNamespace("default")
                                .setStickyTaskQueue("someone-elses-sticky-queue")
                                .build()
                                .toByteArray()))
                .isNull();
        assertThat(policy.refusal(
                        "a",
                        GatePolicy.SHUTDOWN_WORKER,
                        ShutdownWorkerRequest.newBuilder()
                                .setNamespace("other")
                                .build()
                                .toByteArray()))
                .contains("namespace");
    }

    @Test
    void aTaskTokenIsAnswerableOnceByItsNodeAndNotAfterItsTtl() {
        ByteString token = ByteString.copyFromUtf8("task-1");
        byte[] poll = PollActivityTaskQueueRequest.newBuilder()
                .setNamespace("default")
                .setTaskQueue(TaskQueue.newBuilder().setName("node-a"))
                .build()
                .toByteArray();
        policy.answered(
                "a",
                GatePolicy.POLL_ACTIVITY,
                poll,
                PollActivityTaskQueueResponse.newBuilder()
                        .setTaskToken(token)
                        .build()
                        .toByteArray());
        byte[] done = RespondActivityTaskCompletedRequest.newBuilder()
                .setNamespace("default")
                .setTaskToken(token)
                .build()
                .toByteArray();
        assertThat(policy.refusal("b", GatePolicy.RESPOND_COMPLETED, done)).isNotNull();
        assertThat(policy.refusal("a", GatePolicy.RESPOND_COMPLETED, done)).isNull();
        policy.answered("a", GatePolicy.RESPOND_COMPLETED, done, new byte[0]);
        assertThat(policy.refusal("a", GatePolicy.RESPOND_COMPLETED, done)).isNotNull();
        assertThat(policy.outstandingTasks()).isZero();

        policy.answered(
                "a",
                GatePolicy.POLL_ACTIVITY,
                poll,
                PollActivityTaskQueueResponse.newBuilder()
                        .setTaskToken(token)
                        .build()
                        .toByteArray());
        clock.now = clock.now.plus(Duration.ofHours(2));
        assertThat(policy.refusal("a", GatePolicy.RESPOND_COMPLETED, done)).isNotNull();
    }

    @Test
    void garbageIsRefusedNotForwarded() {
        assertThat(policy.refusal("a", GatePolicy.POLL_ACTIVITY, new byte[] {(byte) 0xff, 0x01, 0x02}))
                .startsWith("malformed");
    }

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
