package io.groupai.fleet.app.backups;

import io.groupai.fleet.app.temporal.TemporalServerInfo;
import io.groupai.fleet.app.temporal.WorkflowSearchAttributes;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.WorkflowTypes;
import io.groupai.fleet.workflows.backup.SessionBackupRequest;
import io.groupai.fleet.workflows.backup.SessionBackupWorkflow;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.client.schedules.ScheduleUpdate;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Runs {@link SessionBackupWorkflow} on {@code groupai.session-backups.cron} as {@code session-backup-scheduled}:
 * a Temporal Schedule where the server has Schedules (overlapping runs skipped; pause or trigger it in the
 * Temporal UI), else — Temporal's Java test server — a cron workflow. Off with
 * {@code groupai.session-backups.scheduled=false} (a Schedule this app created is then deleted).
 */
@Component
class SessionBackupSchedule {

    private static final Logger log = LoggerFactory.getLogger(SessionBackupSchedule.class);

    private final WorkflowClient client;
    private final ScheduleClient schedules;
    private final TemporalServerInfo server;
    private final WorkflowSearchAttributes searchAttributes;
    private final SessionBackupProperties properties;

    SessionBackupSchedule(
            WorkflowClient client,
            ScheduleClient schedules,
            TemporalServerInfo server,
            WorkflowSearchAttributes searchAttributes,
            SessionBackupProperties properties) {
        this.client = client;
        this.schedules = schedules;
        this.server = server;
        this.searchAttributes = searchAttributes;
        this.properties = properties;
    }

    /** What every run does: all running accounts, the configured keep and parallelism. */
    SessionBackupRequest request() {
        return new SessionBackupRequest(properties.keep(), properties.parallelism(), null);
    }

    @EventListener(ApplicationReadyEvent.class)
    void apply() {
        String id = WorkflowIds.sessionBackupScheduled();
        try {
            if (server.hasSchedules()) {
                applySchedule(id);
            } else if (properties.scheduled()) {
                startCron(id);
            } else {
                log.info("session backups: not scheduled (groupai.session-backups.scheduled=false); run them with "
                        + "POST /api/v1/group-ai/session-backups/run");
            }
        } catch (RuntimeException e) {
            // The app stays useful without the schedule: backups still run on demand.
            log.warn("session backups: could not set up the schedule {}: {}", id, e.toString());
        }
    }

    private void applySchedule(String id) {
        if (!properties.scheduled()) {
            try {
                schedules.getHandle(id).delete();
                log.info("session backups: Temporal Schedule {} deleted (groupai.session-backups.scheduled=false)", id);
            } catch (RuntimeException absent) {
                log.info("session backups: not scheduled (groupai.session-backups.scheduled=false)");
            }
            return;
        }
        SessionBackupRequest input = request();
        Schedule schedule = Schedule.newBuilder()
                .setAction(ScheduleActionStartWorkflow.newBuilder()
                        .setWorkflowType(SessionBackupWorkflow.class)
                        .setArguments(input)
                        .setOptions(WorkflowOptions.newBuilder()
                                .setWorkflowId(id)
                                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                                .setTypedSearchAttributes(searchAttributes.of(WorkflowTypes.SESSION_BACKUP, input))
                                .build())
                        .build())
                .setSpec(ScheduleSpec.newBuilder()
                        .setCronExpressions(List.of(properties.cron()))
                        .build())
                .setPolicy(SchedulePolicy.newBuilder()
                        .setOverlap(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP)
                        .build())
                .build();
        try {
            schedules.createSchedule(id, schedule, ScheduleOptions.newBuilder().build());
            log.info("session backups: Temporal Schedule {} created ({})", id, properties.cron());
        } catch (ScheduleAlreadyRunningException exists) {
            schedules.getHandle(id).update(current -> new ScheduleUpdate(schedule));
            log.info("session backups: Temporal Schedule {} updated ({})", id, properties.cron());
        }
    }

    private void startCron(String id) {
        SessionBackupRequest input = request();
        SessionBackupWorkflow stub = client.newWorkflowStub(
                SessionBackupWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(id)
                        .setTaskQueue(TaskQueues.CONTROL_PLANE)
                        .setCronSchedule(properties.cron())
                        .setTypedSearchAttributes(searchAttributes.of(WorkflowTypes.SESSION_BACKUP, input))
                        .build());
        try {
            WorkflowClient.start(stub::backup, input);
            log.info(
                    "session backups: cron workflow {} started ({}; {} has no Schedules)",
                    id,
                    properties.cron(),
                    server.description());
        } catch (WorkflowExecutionAlreadyStarted running) {
            log.info("session backups: cron workflow {} already runs", id);
        }
    }
}
