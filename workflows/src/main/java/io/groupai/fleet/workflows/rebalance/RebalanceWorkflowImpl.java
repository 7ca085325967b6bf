package io.groupai.fleet.workflows.rebalance;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.allocation.MigrateAccountWorkflow;
import io.groupai.fleet.workflows.allocation.MigrationRequest;
import io.groupai.fleet.workflows.allocation.MigrationResult;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

public class RebalanceWorkflowImpl implements RebalanceWorkflow {

    private static final Logger log = Workflow.getLogger(RebalanceWorkflowImpl.class);

    /** The reason every migration of a rebalance carries (allocation history, the migration's message). */
    public static final String REASON = "rebalance";

    private final RebalanceActivities planner = Workflow.newActivityStub(
            RebalanceActivities.class,
            ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofMinutes(2))
                    .setRetryOptions(RetryOptions.newBuilder()
                            .setInitialInterval(Duration.ofSeconds(1))
                            .setMaximumInterval(Duration.ofSeconds(30))
                            .setMaximumAttempts(5)
                            .build())
                    .build());

    private String phase = RebalanceReport.PLANNING;
    private boolean dryRun;
    private RebalancePlan plan;
    private final List<MoveOutcome> outcomes = new ArrayList<>();
    private String message = "planning";

    @Override
    public RebalanceReport rebalance(RebalanceRequest request) {
        RebalanceRequest input = request == null ? RebalanceRequest.scheduled() : request;
        dryRun = input.dryRun();
        plan = planner.plan(input);
        plan.moves().forEach(m -> outcomes.add(new MoveOutcome(m, MoveOutcome.State.PENDING, null)));
        if (dryRun || plan.moves().isEmpty()) {
            phase = dryRun ? RebalanceReport.DRY_RUN : RebalanceReport.DONE;
            message = (dryRun ? "dry run, nothing moved: " : "") + plan.message();
            return progress();
        }
        phase = RebalanceReport.MOVING;
        message = "moving " + plan.moves().size() + " accounts";
        run(Math.max(1, plan.maxParallel()), Math.max(1, plan.maxPerServer()));
        phase = RebalanceReport.DONE;
        RebalanceReport report = progress();
        List<MoveOutcome> failed = outcomes.stream()
                .filter(o -> o.state() == MoveOutcome.State.FAILED)
                .toList();
        message = report.moved() + " of " + report.planned() + " planned moves done"
                + (failed.isEmpty()
                        ? ""
                        : "; " + failed.size() + " failed: "
                                + failed.stream()
                                        .limit(5)
                                        .map(o -> o.move().accountId() + " ("
                                                + o.move().fromServerId() + " → "
                                                + o.move().toServerId() + "): " + o.detail())
                                        .toList());
        report = progress();
        if (!failed.isEmpty()) {
            log.warn(message);
            // A run that did not do what it planned is not a success: FAILED in Temporal, the report in the details.
            throw ApplicationFailure.newNonRetryableFailure(message, FailureTypes.REBALANCE_INCOMPLETE, report);
        }
        log.info(message);
        return report;
    }

    /**
     * Starts moves in plan order as long as fewer than {@code maxParallel} run and neither of a move's
     * servers is busy with {@code maxPerServer} others; a move that must wait does not hold up later ones.
     */
    private void run(int maxParallel, int maxPerServer) {
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            pending.add(i);
        }
        Map<Integer, Promise<MigrationResult>> running = new LinkedHashMap<>();
        Map<String, Integer> busy = new HashMap<>();
        while (!pending.isEmpty() || !running.isEmpty()) {
            for (var it = pending.iterator(); it.hasNext() && running.size() < maxParallel; ) {
                int index = it.next();
                RebalanceMove move = outcomes.get(index).move();
                if (busy.getOrDefault(move.fromServerId(), 0) >= maxPerServer
                        || busy.getOrDefault(move.toServerId(), 0) >= maxPerServer) {
                    continue;
                }
                it.remove();
                busy.merge(move.fromServerId(), 1, Integer::sum);
                busy.merge(move.toServerId(), 1, Integer::sum);
                outcomes.set(index, outcomes.get(index).with(MoveOutcome.State.RUNNING, null));
                running.put(index, start(move));
            }
            if (running.isEmpty()) {
                break; // cannot happen with maxPerServer >= 1: a move whose servers are idle always starts
            }
            try {
                Promise.anyOf(running.values()).get();
            } catch (TemporalFailure ended) {
                // a failed migration: collected below with the others
            }
            for (var it = running.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().isCompleted()) {
                    continue;
                }
                it.remove();
                RebalanceMove move = outcomes.get(e.getKey()).move();
                busy.merge(move.fromServerId(), -1, Integer::sum);
                busy.merge(move.toServerId(), -1, Integer::sum);
                outcomes.set(e.getKey(), outcome(outcomes.get(e.getKey()), e.getValue()));
            }
        }
    }

    private Promise<MigrationResult> start(RebalanceMove move) {
        MigrateAccountWorkflow migration = Workflow.newChildWorkflowStub(
                MigrateAccountWorkflow.class,
                ChildWorkflowOptions.newBuilder()
                        .setWorkflowId(WorkflowIds.account(move.accountId()))
                        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                        // A migration half done must finish (or roll back) even if this run is terminated.
                        .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
                        .build());
        return Async.function(
                migration::migrate, new MigrationRequest(move.accountId(), move.toServerId(), REASON, null, false));
    }

    private static MoveOutcome outcome(MoveOutcome current, Promise<MigrationResult> done) {
        try {
            MigrationResult r = done.get();
            return r.success()
                    ? current.with(MoveOutcome.State.MOVED, r.message())
                    : current.with(MoveOutcome.State.FAILED, r.message());
        } catch (ChildWorkflowFailure f) {
            Throwable cause = f.getCause();
            String why = cause instanceof ApplicationFailure app
                    ? app.getOriginalMessage()
                    : cause == null ? f.getMessage() : cause.getMessage();
            return current.with(MoveOutcome.State.FAILED, why);
        } catch (TemporalFailure f) {
            return current.with(MoveOutcome.State.FAILED, f.getMessage());
        }
    }

    @Override
    public RebalanceReport progress() {
        int moved = 0;
        int failed = 0;
        int running = 0;
        for (MoveOutcome o : outcomes) {
            switch (o.state()) {
                case MOVED -> moved++;
                case FAILED -> failed++;
                case RUNNING -> running++;
                default -> {}
            }
        }
        return new RebalanceReport(
                phase,
                dryRun,
                plan,
                outcomes.size(),
                moved,
                failed,
                running,
                List.copyOf(outcomes),
                plan == null ? List.of() : plan.skipped(),
                message);
    }
}
