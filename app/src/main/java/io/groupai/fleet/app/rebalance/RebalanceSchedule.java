package io.groupai.fleet.app.rebalance;

import io.groupai.fleet.app.temporal.TemporalServerInfo;
import io.groupai.fleet.app.temporal.WorkflowSearchAttributes;
import io.groupai.fleet.rebalance.RebalanceProperties;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.WorkflowTypes;
import io.groupai.fleet.workflows.rebalance.RebalanceRequest;
import io.groupai.fleet.workflows.rebalance.RebalanceWorkflow;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.client.schedules.ScheduleUpdate;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Runs {@link RebalanceWorkflow} every {@code groupai.rebalance.every} as {@code rebalance-scheduled}:
 * a Temporal Schedule where the server has Schedules (so it can be paused, triggered and seen in the
 * Temporal UI; overlapping runs skipped), else — Temporal's Java test server — a cron workflow (whole
 * minutes). Off with {@code groupai.rebalance.scheduled=false} (a Schedule this app created is then
 * deleted). Same shape as the reconciler's schedule.
 */
@Component
public class RebalanceSchedule {

    private static final Logger log = LoggerFactory.getLogger(RebalanceSchedule.class);

    private final WorkflowClient client;
    private final ScheduleClient schedules;
    private final TemporalServerInfo server;
    private final WorkflowSearchAttributes searchAttributes;
    private final RebalanceProperties properties;

    RebalanceSchedule(
            WorkflowClient client,
            ScheduleClient schedules,
            TemporalServerInfo server,
            WorkflowSearchAttributes searchAttributes,
            RebalanceProperties properties) {
        this.client = client;
        this.schedules = schedules;
        this.server = server;
        this.searchAttributes = searchAttributes;
        this.properties = properties;
    }

    /** The cron expression for the Java test server: every N whole minutes (at least one). */
    static String cron(Duration every) {
        long minutes = Math.max(1, (every.toSeconds() + 59) / 60);
        if (minutes < 60) {
            return "*/" + minutes + " * * * *";
        }
        long hours = Math.min(23, Math.max(1, minutes / 60));
        return "0 */" + hours + " * * *";
    }

    @EventListener(ApplicationReadyEvent.class)
    void apply() {
        String id = WorkflowIds.rebalanceScheduled();
        try {
            if (server.hasSchedules()) {
                applySchedule(id);
            } else if (properties.scheduled()) {
                startCron(id);
            } else {
                log.info("rebalance: not scheduled (groupai.rebalance.scheduled=false); run it with POST "
                        + "/api/v1/group-ai/rebalance");
            }
        } catch (RuntimeException e) {
            // The app stays useful without the schedule: a rebalance still runs on demand.
            log.warn("rebalance: could not set up its schedule {}: {}", id, e.toString());
        }
    }

    private void applySchedule(String id) {
        if (!properties.scheduled()) {
            try {
                schedules.getHandle(id).delete();
                log.info("rebalance: Temporal Schedule {} deleted (groupai.rebalance.scheduled=false)", id);
            } catch (RuntimeException absent) {
                log.info("rebalance: not scheduled (groupai.rebalance.scheduled=false)");
            }
            return;
        }
        RebalanceRequest input = RebalanceRequest.scheduled();
        Schedule schedule = Schedule.newBuilder()
                .setAction(ScheduleActionStartWorkflow.newBuilder()
                        .setWorkflowType(RebalanceWorkflow.class)
                        .setArguments(input)
                        .setOptions(WorkflowOptions.newBuilder()
                                .setWorkflowId(id)
                                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                                .setTypedSearchAttributes(searchAttributes.of(WorkflowTypes.REBALANCE, input))
                                .build())
                        .build())
                .setSpec(ScheduleSpec.newBuilder()
                        .setIntervals(List.of(new ScheduleIntervalSpec(properties.every())))
                        .build())
                .setPolicy(SchedulePolicy.newBuilder()
                        .setOverlap(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP)
                        .build())
                .build();
        try {
            schedules.createSchedule(id, schedule, ScheduleOptions.newBuilder().build());
            log.info("rebalance: Temporal Schedule {} created, every {}", id, properties.every());
        } catch (ScheduleAlreadyRunningException exists) {
            schedules.getHandle(id).update(current -> new ScheduleUpdate(schedule));
            log.info("rebalance: Temporal Schedule {} updated, every {}", id, properties.every());
        }
    }

    private void startCron(String id) {
        String cron = cron(properties.every());
        RebalanceRequest input = RebalanceRequest.scheduled();
        RebalanceWorkflow stub = client.newWorkflowStub(
                RebalanceWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(id)
                        .setTaskQueue(TaskQueues.CONTROL_PLANE)
                        .setCronSchedule(cron)
                        .setTypedSearchAttributes(searchAttributes.of(WorkflowTypes.REBALANCE, input))
                        .build());
        try {
            WorkflowClient.start(stub::rebalance, input);
            log.info("rebalance: cron workflow {} started ({}; {} has no Schedules)", id, cron, server.description());
        } catch (WorkflowExecutionAlreadyStarted running) {
            log.info("rebalance: cron workflow {} already runs", id);
        }
    }
}
