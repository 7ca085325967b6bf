package io.groupai.fleet.app.observe;

import io.groupai.fleet.alerts.AlertKind;
import io.groupai.fleet.alerts.AlertProperties;
import io.groupai.fleet.alerts.AlertService;
import io.groupai.fleet.alerts.AlertSeverity;
import io.groupai.fleet.workflows.WorkflowTypes;
import io.groupai.fleet.workflows.allocation.AccountOutcome;
import io.groupai.fleet.workflows.allocation.AllocationResult;
import io.groupai.fleet.workflows.allocation.MigrationResult;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Where the app learns how the workflows it started ended: every few seconds it looks at the runs
 * in {@code workflow_runs} whose outcome has not been recorded, and for each that has closed it
 * records the status, counts the outcome in the metrics and raises {@code allocation_failed} /
 * {@code migration_failed} (naming account, server and step) for failed accounts and migrations.
 * A later success of the same account resolves those alerts. Claimed per run with a conditional
 * update, so two app instances never count a run twice. Only the short-lived types are looked at
 * (allocation, migration, bootstrap, server operation): a long-running workflow the app starts (a
 * node supervisor) would otherwise sit at the head of every round.
 *
 * <p>Before this, the app learned a workflow's end only when someone asked (GET /workflows, or a
 * request that waited for the result), so a failure nobody looked at went unnoticed.
 */
@Component
public class WorkflowOutcomeWatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WorkflowOutcomeWatcher.class);
    private static final int BATCH = 200;
    /** At most this many per-account alerts from one allocation; the rest are summed up in one. */
    private static final int MAX_ACCOUNT_ALERTS = 100;

    private record Pending(String workflowId, String runId, String type, String subject, Instant startedAt) {}

    private final WorkflowClient client;
    private final JdbcClient jdbc;
    private final AlertService alerts;
    private final MeterRegistry meters;
    private final AlertProperties properties;
    private final Clock clock;
    private ScheduledExecutorService scheduler;

    public WorkflowOutcomeWatcher(
            WorkflowClient client,
            JdbcClient jdbc,
            AlertService alerts,
            MeterRegistry meters,
            AlertProperties properties,
            Clock clock) {
        this.client = client;
        this.jdbc = jdbc;
        this.alerts = alerts;
        this.meters = meters;
        this.properties = properties;
        this.clock = clock;
    }

    /** One round; returns how many closed runs it recorded. */
    public synchronized int checkOnce() {
        List<Pending> pending = jdbc.sql(
                        "SELECT workflow_id, run_id, workflow_type, subject, started_at FROM workflow_runs"
                                + " WHERE outcome_recorded_at IS NULL AND workflow_type IN (?, ?, ?, ?)"
                                + " ORDER BY started_at LIMIT ?")
                .params(
                        WorkflowTypes.ALLOCATE_ACCOUNTS,
                        WorkflowTypes.MIGRATE_ACCOUNT,
                        WorkflowTypes.BOOTSTRAP_NODE,
                        WorkflowTypes.SERVER_OPERATION,
                        BATCH)
                .query((rs, i) -> new Pending(
                        rs.getString("workflow_id"),
                        rs.getString("run_id"),
                        rs.getString("workflow_type"),
                        rs.getString("subject"),
                        rs.getTimestamp("started_at").toInstant()))
                .list();
        int recorded = 0;
        for (Pending run : pending) {
            MDC.put("workflow_id", run.workflowId());
            try {
                recorded += check(run) ? 1 : 0;
            } catch (RuntimeException e) {
                log.warn(
                        "could not look at the outcome of {} (run {}): {}",
                        run.workflowId(),
                        run.runId(),
                        e.toString());
            } finally {
                MDC.remove("workflow_id");
            }
        }
        return recorded;
    }

    private boolean check(Pending run) {
        Optional<WorkflowExecutionInfo> described = describe(run);
        if (described.isEmpty()) {
            claim(run, "UNKNOWN", "not known to Temporal (embedded server restarted?)", null);
            return true;
        }
        WorkflowExecutionInfo info = described.get();
        WorkflowExecutionStatus status = info.getStatus();
        if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
            return false;
        }
        String shortStatus = status.name().replace("WORKFLOW_EXECUTION_STATUS_", "");
        Instant closedAt = info.hasCloseTime()
                ? Instant.ofEpochSecond(
                        info.getCloseTime().getSeconds(), info.getCloseTime().getNanos())
                : clock.instant();
        if (!claim(run, shortStatus, null, closedAt)) {
            return false; // another instance (or round) has it
        }
        meters.counter(
                        "groupai.workflows.closed",
                        "type",
                        run.type(),
                        "status",
                        shortStatus.toLowerCase(java.util.Locale.ROOT))
                .increment();
        WorkflowStub stub = client.newUntypedWorkflowStub(
                run.workflowId(), Optional.of(info.getExecution().getRunId()), Optional.of(run.type()));
        Duration took = Duration.between(run.startedAt(), closedAt);
        switch (run.type()) {
            case WorkflowTypes.ALLOCATE_ACCOUNTS -> allocationEnded(run, status, stub);
            case WorkflowTypes.MIGRATE_ACCOUNT -> migrationEnded(run, status, stub, took);
            default -> {}
        }
        return true;
    }

    private void allocationEnded(Pending run, WorkflowExecutionStatus status, WorkflowStub stub) {
        if (status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
            meters.counter("groupai.allocation.workflows", "outcome", "failure").increment();
            alerts.raise(
                    AlertKind.ALLOCATION_FAILED,
                    AlertSeverity.WARNING,
                    null,
                    accountOf(run.subject()),
                    "allocation " + run.workflowId() + " ended "
                            + status.name().replace("WORKFLOW_EXECUTION_STATUS_", "")
                            + failureOf(stub).map(f -> ": " + f).orElse(""));
            return;
        }
        meters.counter("groupai.allocation.workflows", "outcome", "success").increment();
        AllocationResult result = stub.getResult(AllocationResult.class);
        meters.counter("groupai.allocation.accounts", "outcome", "success").increment(result.placed());
        meters.counter("groupai.allocation.accounts", "outcome", "failure").increment(result.failed());
        int alerted = 0;
        for (AccountOutcome outcome : result.outcomes()) {
            Timer.builder("groupai.allocation.latency")
                    .description("one account's allocation, first step to outcome")
                    .tag("outcome", outcome.success() ? "success" : "failure")
                    .publishPercentileHistogram()
                    .register(meters)
                    .record(Duration.ofMillis(outcome.durationMillis()));
            if (outcome.success()) {
                alerts.resolveOpenForAccount(
                        AlertKind.ALLOCATION_FAILED,
                        outcome.accountId(),
                        "placed on " + outcome.serverId() + " by " + run.workflowId());
            } else if (alerted++ < MAX_ACCOUNT_ALERTS) {
                alerts.raise(
                        AlertKind.ALLOCATION_FAILED,
                        AlertSeverity.WARNING,
                        outcome.serverId() != null ? outcome.serverId() : lastServerNamed(outcome),
                        outcome.accountId(),
                        outcome.message() + " (" + run.workflowId() + ")");
            }
        }
        int unnamed = result.failed() - Math.min(alerted, MAX_ACCOUNT_ALERTS);
        if (unnamed > 0) {
            alerts.raise(
                    AlertKind.ALLOCATION_FAILED,
                    AlertSeverity.WARNING,
                    null,
                    null,
                    unnamed + " more of " + result.requested() + " accounts failed in " + run.workflowId()
                            + "; their outcomes are in GET /api/v1/group-ai/workflows/" + run.workflowId()
                            + " and allocation_history");
        }
    }

    private void migrationEnded(Pending run, WorkflowExecutionStatus status, WorkflowStub stub, Duration took) {
        String account = accountOf(run.subject());
        MigrationResult result = status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED
                ? stub.getResult(MigrationResult.class)
                : null;
        boolean success = result != null && result.success();
        meters.counter("groupai.migrations", "outcome", success ? "success" : "failure")
                .increment();
        Timer.builder("groupai.migration.latency")
                .description("one migration workflow, start to close")
                .tag("outcome", success ? "success" : "failure")
                .publishPercentileHistogram()
                .register(meters)
                .record(took);
        if (success) {
            alerts.resolveOpenForAccount(
                    AlertKind.MIGRATION_FAILED, account, "moved to " + result.serverId() + " by " + run.workflowId());
            return;
        }
        String why = result != null
                ? result.message()
                : "migration " + run.workflowId() + " ended "
                        + status.name().replace("WORKFLOW_EXECUTION_STATUS_", "")
                        + failureOf(stub).map(f -> ": " + f).orElse("");
        alerts.raise(
                AlertKind.MIGRATION_FAILED,
                AlertSeverity.WARNING,
                result != null ? result.sourceServerId() : null,
                account,
                why);
    }

    private boolean claim(Pending run, String status, String detail, Instant closedAt) {
        return jdbc.sql(
                                "UPDATE workflow_runs SET status = ?, detail = COALESCE(?, detail), closed_at = ?,"
                                        + " outcome_recorded_at = ? WHERE workflow_id = ? AND run_id = ? AND outcome_recorded_at IS NULL")
                        .params(
                                status,
                                detail,
                                closedAt == null ? null : Timestamp.from(closedAt),
                                Timestamp.from(clock.instant()),
                                run.workflowId(),
                                run.runId())
                        .update()
                == 1;
    }

    /**
     * The run the app recorded; if it continued as new (a large allocation does), the latest run of
     * that id, which carries the outcome.
     */
    private Optional<WorkflowExecutionInfo> describe(Pending run) {
        Optional<WorkflowExecutionInfo> recorded = describe(run.workflowId(), run.runId());
        if (recorded.isPresent()
                && recorded.get().getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW) {
            return describe(run.workflowId(), null);
        }
        return recorded;
    }

    private Optional<WorkflowExecutionInfo> describe(String workflowId, String runId) {
        WorkflowExecution.Builder execution = WorkflowExecution.newBuilder().setWorkflowId(workflowId);
        if (runId != null) {
            execution.setRunId(runId);
        }
        try {
            return Optional.of(client.getWorkflowServiceStubs()
                    .blockingStub()
                    .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                            .setNamespace(client.getOptions().getNamespace())
                            .setExecution(execution)
                            .build())
                    .getWorkflowExecutionInfo());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static Optional<String> failureOf(WorkflowStub stub) {
        try {
            stub.getResult(1, TimeUnit.SECONDS, Object.class);
            return Optional.empty();
        } catch (WorkflowFailedException e) {
            return Optional.ofNullable(
                    e.getCause() instanceof ApplicationFailure app
                            ? app.getOriginalMessage()
                            : e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static final Pattern SERVER_IN_MESSAGE = Pattern.compile("\\bserver ([A-Za-z0-9][A-Za-z0-9._-]*)");

    /** A failed outcome has no server; its attempts name each server tried ("... server obs-a, step ..."). */
    static String lastServerNamed(AccountOutcome outcome) {
        List<String> texts = outcome.attempts() == null || outcome.attempts().isEmpty()
                ? List.of(String.valueOf(outcome.message()))
                : outcome.attempts();
        String last = null;
        for (String text : texts) {
            Matcher m = SERVER_IN_MESSAGE.matcher(String.valueOf(text));
            while (m.find()) {
                last = m.group(1).replaceAll("[.,;:]+$", "");
            }
        }
        return last;
    }

    private static String accountOf(String subject) {
        return subject != null && subject.startsWith("account:") ? subject.substring("account:".length()) : null;
    }

    @Override
    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "workflow-outcomes");
            t.setDaemon(true);
            return t;
        });
        long every = properties.workflowWatchInterval().toMillis();
        scheduler.scheduleWithFixedDelay(
                () -> {
                    try {
                        checkOnce();
                    } catch (RuntimeException e) {
                        log.warn("workflow outcome round failed: {}", e.toString());
                    }
                },
                every,
                every,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
