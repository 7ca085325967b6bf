package io.groupai.fleet.app.reconcile;

import io.groupai.fleet.app.temporal.WorkflowSearchAttributes;
import io.groupai.fleet.app.workflows.StartedWorkflow;
import io.groupai.fleet.app.workflows.WorkflowLauncher;
import io.groupai.fleet.reconcile.ReconcileStore;
import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.registry.NotFoundException;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.WorkflowTypes;
import io.groupai.fleet.workflows.reconcile.NodeView;
import io.groupai.fleet.workflows.reconcile.ReconcileReport;
import io.groupai.fleet.workflows.reconcile.ReconcileRequest;
import io.groupai.fleet.workflows.reconcile.ReconcileTotals;
import io.groupai.fleet.workflows.reconcile.ReconcileWorkflow;
import io.groupai.fleet.workflows.reconcile.RepairOutcome;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Reconciliation between the database and the fleet. {@code GET} runs a dry run (the same
 * comparison as a repair, changing nothing) and returns the differences with the action a repair
 * would take, plus the history of what repairs did; {@code POST} starts a repair now. On a large
 * fleet the report's lists are capped (the failed and repaired drifts first; servers with a problem
 * or a drift only); its {@code totals} count everything and the history holds every repair.
 */
@RestController
class ReconciliationController {

    static final int DEFAULT_WAIT_SECONDS = 60;
    static final int MAX_WAIT_SECONDS = 300;
    static final int MAX_HISTORY = 1000;

    private final WorkflowClient client;
    private final WorkflowLauncher launcher;
    private final WorkflowSearchAttributes searchAttributes;
    private final ReconcileStore store;

    ReconciliationController(
            WorkflowClient client,
            WorkflowLauncher launcher,
            WorkflowSearchAttributes searchAttributes,
            ReconcileStore store) {
        this.client = client;
        this.launcher = launcher;
        this.searchAttributes = searchAttributes;
        this.store = store;
    }

    /**
     * @param workflowId  the dry run, or the repair, that produced {@code nodes} and {@code drifts}
     * @param complete    false: the run did not finish within the wait; follow {@code status_url}
     * @param pending     drifts per kind found by the run (all of them, also those left out of {@code drifts})
     * @param totals      the run's counts: servers (answered, from heartbeat, unknown), drifts per kind and outcome,
     *                    and how many servers and drifts the capped lists leave out; null until it is complete
     * @param historyCounts history lines per drift kind, over all time (DOUBLE_RUN must stay 0)
     */
    record ReconciliationView(
            String workflowId,
            String statusUrl,
            boolean dryRun,
            boolean complete,
            List<NodeView> nodes,
            List<RepairOutcome> drifts,
            Map<String, Long> pending,
            ReconcileTotals totals,
            List<ReconcileStore.HistoryEntry> history,
            Map<String, Long> historyCounts) {}

    @GetMapping("/api/v1/group-ai/reconciliation")
    ResponseEntity<ReconciliationView> report(
            @RequestParam(name = "server_id", required = false) List<String> serverIds,
            @RequestParam(name = "wait_seconds", required = false) Integer waitSeconds,
            @RequestParam(name = "history_limit", defaultValue = "100") int historyLimit) {
        if (historyLimit < 0 || historyLimit > MAX_HISTORY) {
            throw new InvalidInputException("history_limit", "must be between 0 and " + MAX_HISTORY);
        }
        int seconds = waitFor(waitSeconds);
        String workflowId = WorkflowIds.reconcileDryRun(UUID.randomUUID().toString());
        ReconcileRequest input = new ReconcileRequest(true, serverIds);
        // A dry run changes nothing, so it is not recorded among the workflows the app started.
        ReconcileWorkflow stub = client.newWorkflowStub(
                ReconcileWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(workflowId)
                        .setTaskQueue(TaskQueues.CONTROL_PLANE)
                        .setWorkflowExecutionTimeout(Duration.ofMinutes(30))
                        .setTypedSearchAttributes(searchAttributes.of(WorkflowTypes.RECONCILE, input))
                        .build());
        WorkflowClient.start(stub::reconcile, input);
        Optional<ReconcileReport> report = await(workflowId, seconds);
        return ResponseEntity.status(report.isPresent() ? HttpStatus.OK : HttpStatus.ACCEPTED)
                .body(view(workflowId, true, report, historyLimit));
    }

    @PostMapping("/api/v1/group-ai/reconciliation")
    ResponseEntity<ReconciliationView> runNow(
            @RequestParam(name = "server_id", required = false) List<String> serverIds,
            @RequestParam(name = "wait_seconds", defaultValue = "0") int waitSeconds,
            @RequestParam(name = "history_limit", defaultValue = "100") int historyLimit) {
        if (historyLimit < 0 || historyLimit > MAX_HISTORY) {
            throw new InvalidInputException("history_limit", "must be between 0 and " + MAX_HISTORY);
        }
        StartedWorkflow started = launcher.start(
                ReconcileWorkflow.class,
                WorkflowIds.reconcileNow(),
                "fleet",
                w -> w::reconcile,
                new ReconcileRequest(false, serverIds));
        Optional<ReconcileReport> report = await(started.workflowId(), waitFor(waitSeconds));
        return ResponseEntity.status(report.isPresent() ? HttpStatus.OK : HttpStatus.ACCEPTED)
                .body(view(started.workflowId(), false, report, historyLimit));
    }

    record TelegramUser(Long telegramUserId) {}

    /** Records which Telegram user an account is: rows sharing one are reported as duplicates. */
    @PutMapping("/api/v1/group-ai/accounts/{accountId}/telegram-user")
    ResponseEntity<Void> telegramUser(@PathVariable String accountId, @RequestBody TelegramUser body) {
        if (body == null || body.telegramUserId() == null || body.telegramUserId() <= 0) {
            throw new InvalidInputException(
                    "telegram_user_id", "required: the account's Telegram user id, e.g. 7012345678");
        }
        if (!store.setTelegramUserId(accountId, body.telegramUserId())) {
            throw NotFoundException.account(accountId);
        }
        return ResponseEntity.noContent().build();
    }

    private ReconciliationView view(
            String workflowId, boolean dryRun, Optional<ReconcileReport> report, int historyLimit) {
        Map<String, Long> pending = new TreeMap<>();
        report.ifPresent(r -> {
            if (r.totals() != null) {
                pending.putAll(r.totals().pending());
            } else {
                r.drifts().stream()
                        .filter(d -> !RepairOutcome.CHANGED.equals(d.outcome()))
                        .forEach(d -> pending.merge(d.drift().kind().name(), 1L, Long::sum));
            }
        });
        return new ReconciliationView(
                workflowId,
                WorkflowLauncher.statusUrl(workflowId),
                dryRun,
                report.isPresent(),
                report.map(ReconcileReport::nodes).orElse(List.of()),
                report.map(ReconcileReport::drifts).orElse(List.of()),
                pending,
                report.map(ReconcileReport::totals).orElse(null),
                store.history(historyLimit),
                store.historyCounts());
    }

    private Optional<ReconcileReport> await(String workflowId, int seconds) {
        if (seconds <= 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(client.newUntypedWorkflowStub(workflowId)
                    .getResult(seconds, TimeUnit.SECONDS, ReconcileReport.class));
        } catch (TimeoutException e) {
            return Optional.empty();
        }
    }

    private static int waitFor(Integer waitSeconds) {
        return waitSeconds == null ? DEFAULT_WAIT_SECONDS : Math.max(0, Math.min(waitSeconds, MAX_WAIT_SECONDS));
    }
}
