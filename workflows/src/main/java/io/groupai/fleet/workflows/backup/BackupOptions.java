package io.groupai.fleet.workflows.backup;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.agent.NodeAgentActivities;
import io.groupai.fleet.workflows.allocation.AllocateChunkWorkflowImpl;
import io.groupai.fleet.workflows.allocation.SessionTransferOptions;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/** Activity options of the backup and restore workflows. */
final class BackupOptions {

    static final RetryOptions RETRIES = RetryOptions.newBuilder()
            .setInitialInterval(Duration.ofSeconds(1))
            .setMaximumInterval(Duration.ofSeconds(10))
            .setMaximumAttempts(3)
            .setDoNotRetry(
                    FailureTypes.NO_SESSION,
                    FailureTypes.ACCOUNT_UNAVAILABLE,
                    FailureTypes.SERVER_NOT_ELIGIBLE,
                    FailureTypes.NON_RETRYABLE_NODE_FAILURE,
                    FailureTypes.SESSION_CHECKSUM_MISMATCH,
                    FailureTypes.STORED_SESSION_CORRUPT,
                    FailureTypes.BACKUP_NOT_FOUND)
            .build();

    /** Store and registry work on the control plane. */
    static final ActivityOptions CONTROL_PLANE = ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(2))
            .setRetryOptions(RETRIES)
            .build();

    /** Downloads and uploads: the session transfer's own limits (they heartbeat the bytes moved). */
    static final ActivityOptions TRANSFER = ActivityOptions.newBuilder(SessionTransferOptions.OPTIONS)
            .setRetryOptions(RETRIES)
            .build();

    /** Work on a node: a dead node fails the step at the schedule-to-start timeout. */
    static final ActivityOptions NODE = ActivityOptions.newBuilder()
            .setScheduleToStartTimeout(AllocateChunkWorkflowImpl.NODE_SCHEDULE_TO_START)
            .setStartToCloseTimeout(Duration.ofMinutes(2))
            .setRetryOptions(RETRIES)
            .build();

    static NodeAgentActivities node(String serverId) {
        return Workflow.newActivityStub(
                NodeAgentActivities.class,
                ActivityOptions.newBuilder(NODE)
                        .setTaskQueue(TaskQueues.node(serverId))
                        .build());
    }

    private BackupOptions() {}
}
