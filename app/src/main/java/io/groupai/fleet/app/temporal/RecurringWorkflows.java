package io.groupai.fleet.app.temporal;

import io.groupai.fleet.workflows.TaskQueues;
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
import org.springframework.stereotype.Component;

/**
 * One way to run a workflow on a schedule (reconciliation, rebalance, session backups): a Temporal
 * Schedule where the server has Schedules (dev server, real cluster; overlapping runs skipped, pause
 * or trigger it in the Temporal UI), else — Temporal's Java test server — a cron workflow. Switched
 * off, a Schedule this app created is deleted. A failure is logged: the work still runs on demand.
 */
@Component
public class RecurringWorkflows {

    private static final Logger log = LoggerFactory.getLogger(RecurringWorkflows.class);

    /**
     * @param what         for the log, e.g. "reconciliation"
     * @param enabled      false: not scheduled (and a Schedule of this id deleted)
     * @param offHint      how it is switched off and run instead, e.g. "groupai.reconcile.scheduled=false; ..."
     * @param workflowType the workflow type name (WorkflowTypes)
     * @param every        an interval, or null when {@code cron} is given
     * @param cron         a cron expression, or null when {@code every} is given
     * @param offset       with {@code every}: how far after each multiple of it a run starts (taken modulo
     *                     {@code every}), so two schedules need not fire on the same tick
     */
    public record Recurring(
            String what,
            String workflowId,
            boolean enabled,
            String offHint,
            String workflowType,
            Object input,
            Duration every,
            String cron,
            Duration offset) {

        public Recurring(
                String what,
                String workflowId,
                boolean enabled,
                String offHint,
                String workflowType,
                Object input,
                Duration every,
                String cron) {
            this(what, workflowId, enabled, offHint, workflowType, input, every, cron, Duration.ZERO);
        }

        String described() {
            return every != null
                    ? "every " + every + (phase(every, offset).isZero() ? "" : ", offset " + phase(every, offset))
                    : cron;
        }
    }

    /** The offset within one interval (0 when none). */
    static Duration phase(Duration every, Duration offset) {
        if (offset == null || every.isZero()) {
            return Duration.ZERO;
        }
        return Duration.ofMillis(Math.floorMod(offset.toMillis(), every.toMillis()));
    }

    private final WorkflowClient client;
    private final ScheduleClient schedules;
    private final TemporalServerInfo server;
    private final WorkflowSearchAttributes searchAttributes;

    RecurringWorkflows(
            WorkflowClient client,
            ScheduleClient schedules,
            TemporalServerInfo server,
            WorkflowSearchAttributes searchAttributes) {
        this.client = client;
        this.schedules = schedules;
        this.server = server;
        this.searchAttributes = searchAttributes;
    }

    /** The cron expression for an interval on the Java test server: every N whole minutes (at least one). */
    public static String cronEvery(Duration every) {
        return cronEvery(every, Duration.ZERO);
    }

    /** The same, {@code offset} (whole minutes, modulo the interval) after each multiple of it. */
    public static String cronEvery(Duration every, Duration offset) {
        long minutes = Math.max(1, (every.toSeconds() + 59) / 60);
        long shift = offset == null ? 0 : Math.floorMod(offset.toMinutes(), minutes);
        if (minutes < 60) {
            return (shift == 0 ? "*" : shift + "-59") + "/" + minutes + " * * * *";
        }
        long hours = Math.min(23, Math.max(1, minutes / 60));
        return (offset == null ? 0 : Math.floorMod(offset.toMinutes(), 60)) + " */" + hours + " * * *";
    }

    public void apply(Recurring r) {
        try {
            if (server.hasSchedules()) {
                applySchedule(r);
            } else if (r.enabled()) {
                startCron(r);
            } else {
                log.info("{}: not scheduled ({})", r.what(), r.offHint());
            }
        } catch (RuntimeException e) {
            log.warn("{}: could not set up its schedule {}: {}", r.what(), r.workflowId(), e.toString());
        }
    }

    private WorkflowOptions.Builder options(Recurring r) {
        return WorkflowOptions.newBuilder()
                .setWorkflowId(r.workflowId())
                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                .setTypedSearchAttributes(searchAttributes.of(r.workflowType(), r.input()));
    }

    private void applySchedule(Recurring r) {
        String id = r.workflowId();
        if (!r.enabled()) {
            try {
                schedules.getHandle(id).delete();
                log.info("{}: Temporal Schedule {} deleted ({})", r.what(), id, r.offHint());
            } catch (RuntimeException absent) {
                log.info("{}: not scheduled ({})", r.what(), r.offHint());
            }
            return;
        }
        ScheduleSpec spec = r.every() != null
                ? ScheduleSpec.newBuilder()
                        .setIntervals(List.of(new ScheduleIntervalSpec(r.every(), phase(r.every(), r.offset()))))
                        .build()
                : ScheduleSpec.newBuilder()
                        .setCronExpressions(List.of(r.cron()))
                        .build();
        Schedule schedule = Schedule.newBuilder()
                .setAction(ScheduleActionStartWorkflow.newBuilder()
                        .setWorkflowType(r.workflowType())
                        .setArguments(r.input())
                        .setOptions(options(r).build())
                        .build())
                .setSpec(spec)
                .setPolicy(SchedulePolicy.newBuilder()
                        .setOverlap(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP)
                        .build())
                .build();
        try {
            schedules.createSchedule(id, schedule, ScheduleOptions.newBuilder().build());
            log.info("{}: Temporal Schedule {} created, {}", r.what(), id, r.described());
        } catch (ScheduleAlreadyRunningException exists) {
            schedules.getHandle(id).update(current -> new ScheduleUpdate(schedule));
            log.info("{}: Temporal Schedule {} updated, {}", r.what(), id, r.described());
        }
    }

    private void startCron(Recurring r) {
        String cron = r.every() != null ? cronEvery(r.every(), r.offset()) : r.cron();
        try {
            client.newUntypedWorkflowStub(
                            r.workflowType(), options(r).setCronSchedule(cron).build())
                    .start(r.input());
            log.info(
                    "{}: cron workflow {} started ({}; {} has no Schedules)",
                    r.what(),
                    r.workflowId(),
                    cron,
                    server.description());
        } catch (WorkflowExecutionAlreadyStarted running) {
            log.info("{}: cron workflow {} already runs", r.what(), r.workflowId());
        }
    }
}
