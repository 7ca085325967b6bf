package io.groupai.fleet.app.allocation;

import io.groupai.fleet.allocation.AllocationStore;
import io.groupai.fleet.allocation.BatchRejectedException;
import io.groupai.fleet.allocation.planner.Strategy;
import io.groupai.fleet.app.allocation.AllocationApi.AllocateRequest;
import io.groupai.fleet.app.allocation.AllocationApi.AllocateResponse;
import io.groupai.fleet.app.allocation.AllocationApi.AutoRequest;
import io.groupai.fleet.app.allocation.AllocationApi.AutoResponse;
import io.groupai.fleet.app.allocation.AllocationApi.BatchRequest;
import io.groupai.fleet.app.allocation.AllocationApi.BatchResponse;
import io.groupai.fleet.app.allocation.AllocationApi.RebalanceRequest;
import io.groupai.fleet.app.allocation.AllocationApi.RebalanceResponse;
import io.groupai.fleet.app.web.ProblemHandler;
import io.groupai.fleet.app.workflows.StartedWorkflow;
import io.groupai.fleet.app.workflows.WorkflowLauncher;
import io.groupai.fleet.registry.AccountDefinition;
import io.groupai.fleet.registry.AccountRecord;
import io.groupai.fleet.registry.AccountRegistry;
import io.groupai.fleet.registry.AccountRepository;
import io.groupai.fleet.registry.ConflictException;
import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.allocation.AccountOutcome;
import io.groupai.fleet.workflows.allocation.AllocateAccountsWorkflow;
import io.groupai.fleet.workflows.allocation.AllocationRequest;
import io.groupai.fleet.workflows.allocation.AllocationResult;
import io.groupai.fleet.workflows.allocation.FixedTarget;
import io.groupai.fleet.workflows.allocation.MigrateAccountWorkflow;
import io.groupai.fleet.workflows.allocation.MigrationRequest;
import io.groupai.fleet.workflows.allocation.PlanResult;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowStub;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The seeds' allocation API. Every call that places or moves accounts starts a workflow and
 * returns its id and {@code status_url}; {@code wait_seconds} (or {@code wait=true}) waits, bounded,
 * for the result.
 */
@RestController
class AllocationController {

    private static final Logger log = LoggerFactory.getLogger(AllocationController.class);
    private static final int MAX_WAIT_SECONDS = 300;
    private static final int DEFAULT_WAIT_SECONDS = 60;
    private static final int PLAN_WAIT_SECONDS = 30;

    private final AllocationStore store;
    private final AccountRepository accounts;
    private final AccountRegistry registry;
    private final ServerRepository servers;
    private final WorkflowLauncher launcher;
    private final WorkflowClient client;

    AllocationController(
            AllocationStore store,
            AccountRepository accounts,
            AccountRegistry registry,
            ServerRepository servers,
            WorkflowLauncher launcher,
            WorkflowClient client) {
        this.store = store;
        this.accounts = accounts;
        this.registry = registry;
        this.servers = servers;
        this.launcher = launcher;
        this.client = client;
    }

    @PostMapping("/api/v1/group-ai/account-allocation/auto")
    ResponseEntity<AutoResponse> auto(
            @RequestBody(required = false) AutoRequest body,
            @RequestParam(defaultValue = "false") boolean wait,
            @RequestParam(name = "wait_seconds", required = false) Integer waitSeconds) {
        String strategy = strategy(body == null ? null : body.strategy(), "strategy", "balanced");
        int unallocated = store.unallocated(null, 1).size();
        if (unallocated == 0) {
            return ResponseEntity.ok(new AutoResponse(
                    null,
                    null,
                    null,
                    strategy,
                    0,
                    0,
                    0,
                    List.of(),
                    List.of(),
                    "no unallocated accounts; nothing to do",
                    null));
        }
        String workflowId = "allocate-" + UUID.randomUUID();
        // The workflow pages through the unallocated accounts itself and plans them once, chunk by chunk.
        StartedWorkflow started = launcher.start(
                AllocateAccountsWorkflow.class,
                workflowId,
                "allocation:auto",
                w -> w::allocate,
                body != null && body.parallelism() != null
                        ? AllocationRequest.auto(strategy).withParallelism(Math.min(body.parallelism(), 64))
                        : AllocationRequest.auto(strategy));
        PlanResult plan = awaitPlan(workflowId);
        AllocationResult result = await(workflowId, waitFor(wait, waitSeconds)).orElse(null);
        int accounts = result != null
                ? result.requested()
                : plan.placements().size() + plan.unplaced().size();
        return ResponseEntity.status(result == null ? HttpStatus.ACCEPTED : HttpStatus.OK)
                .body(new AutoResponse(
                        started.workflowId(),
                        started.runId(),
                        started.statusUrl(),
                        strategy,
                        accounts,
                        plan.placements().size(),
                        plan.unplaced().size(),
                        plan.placements(),
                        plan.unplaced(),
                        plan.placements().size() + " of "
                                + (plan.placements().size() + plan.unplaced().size())
                                + " unallocated accounts planned with " + strategy
                                + (accounts
                                                > plan.placements().size()
                                                        + plan.unplaced().size()
                                        ? " (the first chunk; the rest is planned chunk by chunk)"
                                        : "")
                                + (result == null
                                        ? "; follow " + started.statusUrl()
                                        : "; " + result.placed() + " placed, " + result.failed() + " failed"),
                        result));
    }

    @PostMapping("/api/v1/group-ai/account-allocation/batch")
    ResponseEntity<BatchResponse> batch(
            @RequestBody(required = false) BatchRequest body,
            @RequestParam(defaultValue = "false") boolean wait,
            @RequestParam(name = "wait_seconds", required = false) Integer waitSeconds) {
        if (body == null || body.allocations() == null || body.allocations().isEmpty()) {
            throw new InvalidInputException(
                    "allocations", "give at least one {\"account_id\": ..., \"server_id\": ...}");
        }
        List<FixedTarget> targets = body.allocations().stream()
                .map(i -> i == null ? new FixedTarget(null, null) : new FixedTarget(i.accountId(), i.serverId()))
                .toList();
        String workflowId = "allocate-batch-" + UUID.randomUUID();
        store.reserveBatch(targets, workflowId);
        StartedWorkflow started;
        try {
            started = launcher.start(
                    AllocateAccountsWorkflow.class,
                    workflowId,
                    "allocation:batch",
                    w -> w::allocate,
                    AllocationRequest.fixed(targets));
        } catch (RuntimeException e) {
            targets.forEach(t -> store.release(t.accountId(), t.serverId(), workflowId));
            throw e;
        }
        AllocationResult result = await(workflowId, waitFor(wait, waitSeconds)).orElse(null);
        return ResponseEntity.status(result == null ? HttpStatus.ACCEPTED : HttpStatus.OK)
                .body(new BatchResponse(
                        started.workflowId(),
                        started.runId(),
                        started.statusUrl(),
                        targets.size(),
                        body.allocations(),
                        targets.size() + " accounts reserved; uploading and starting them",
                        result));
    }

    @PostMapping("/api/v1/group-ai/accounts/allocate")
    ResponseEntity<AllocateResponse> allocate(
            @RequestBody(required = false) AllocateRequest body,
            @RequestParam(name = "wait_seconds", required = false) Integer waitSeconds) {
        if (body == null || body.accountId() == null || body.accountId().isBlank()) {
            throw new InvalidInputException("account_id", "account_id is required, e.g. \"639277356598\"");
        }
        String strategy = strategy(body.allocationStrategy(), "allocation_strategy", "load_balance");
        String accountId = body.accountId();
        AccountRecord account = accounts.find(accountId).orElse(null);
        if (account == null) {
            registry.create(new AccountDefinition(accountId, body.sessionFile(), body.scriptId(), null));
        } else if (account.serverId() != null) {
            throw new ConflictException("account " + accountId + " is already placed on server " + account.serverId()
                    + " (status " + account.status() + "); move it with POST /api/v1/group-ai/accounts/rebalance");
        }
        String workflowId = WorkflowIds.account(accountId);
        StartedWorkflow started = launcher.start(
                AllocateAccountsWorkflow.class,
                workflowId,
                "account:" + accountId,
                w -> w::allocate,
                AllocationRequest.accounts(strategy, List.of(accountId)));
        int seconds = waitSeconds == null ? DEFAULT_WAIT_SECONDS : Math.max(0, Math.min(waitSeconds, MAX_WAIT_SECONDS));
        Optional<AccountOutcome> outcome =
                await(workflowId, seconds).map(r -> r.outcomes().get(0));
        if (outcome.isEmpty()) {
            return ResponseEntity.accepted()
                    .body(new AllocateResponse(
                            null,
                            null,
                            null,
                            null,
                            "allocation of account " + accountId + " is still running; follow " + started.statusUrl(),
                            workflowId,
                            started.statusUrl()));
        }
        AccountOutcome o = outcome.get();
        String message = o.success()
                ? "账号已成功分配到服务器 " + o.serverId() + " (account " + accountId + " allocated to server " + o.serverId()
                        + ")"
                : o.message();
        return ResponseEntity.ok(new AllocateResponse(
                o.success(),
                o.serverId(),
                o.remotePath(),
                o.loadScore() == null ? null : Math.round(o.loadScore() * 10) / 10.0,
                message,
                workflowId,
                started.statusUrl()));
    }

    @PostMapping("/api/v1/group-ai/accounts/rebalance")
    ResponseEntity<RebalanceResponse> rebalance(@RequestBody(required = false) RebalanceRequest body) {
        if (body == null || body.accountId() == null || body.accountId().isBlank()) {
            throw new InvalidInputException("account_id", "account_id is required, e.g. \"639277356598\"");
        }
        String strategy = strategy(body.strategy(), "strategy", "load_balance");
        AccountRecord account = accounts.get(body.accountId());
        if (account.serverId() == null) {
            throw new ConflictException("account " + account.accountId()
                    + " is not placed on any server; allocate it with " + "POST /api/v1/group-ai/accounts/allocate");
        }
        String target = body.targetServerId() == null || body.targetServerId().isBlank() ? null : body.targetServerId();
        if (target != null && !servers.exists(target)) {
            throw new InvalidInputException("target_server_id", "server " + target + " is not registered");
        }
        if (target != null && target.equals(account.serverId())) {
            throw new InvalidInputException(
                    "target_server_id",
                    "account " + account.accountId() + " already runs on " + target
                            + "; choose another server or leave target_server_id out");
        }
        String workflowId = WorkflowIds.account(account.accountId());
        StartedWorkflow started = launcher.start(
                MigrateAccountWorkflow.class,
                workflowId,
                "account:" + account.accountId(),
                w -> w::migrate,
                new MigrationRequest(account.accountId(), target, body.reason(), strategy));
        return ResponseEntity.accepted()
                .body(new RebalanceResponse(
                        started.workflowId(),
                        started.runId(),
                        started.statusUrl(),
                        account.accountId(),
                        account.serverId(),
                        target,
                        body.reason()));
    }

    @ExceptionHandler(BatchRejectedException.class)
    ProblemDetail batchRejected(BatchRejectedException e) {
        HttpStatus status = e.conflict() ? HttpStatus.CONFLICT : HttpStatus.BAD_REQUEST;
        ProblemDetail problem = ProblemHandler.problem(
                status,
                e.conflict() ? "Conflict" : "Invalid input",
                e.getMessage() + ": "
                        + e.problems().stream()
                                .map(p -> p.field() + ": " + p.message())
                                .reduce((a, b) -> a + "; " + b)
                                .orElse(""));
        problem.setProperty("errors", e.problems());
        return problem;
    }

    private static String strategy(String value, String field, String defaultStrategy) {
        if (value == null || value.isBlank()) {
            return defaultStrategy;
        }
        try {
            return Strategy.parse(value).wireName();
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(field, e.getMessage());
        }
    }

    private static int waitFor(boolean wait, Integer waitSeconds) {
        if (waitSeconds != null) {
            return Math.max(0, Math.min(waitSeconds, MAX_WAIT_SECONDS));
        }
        return wait ? DEFAULT_WAIT_SECONDS : 0;
    }

    /**
     * The plan the workflow made (its first chunk), read through its {@code plan} query: the plan
     * is made once, in the workflow. Bounded; a workflow that ends or stalls before planning gives
     * an empty plan and the caller follows the status url.
     */
    private PlanResult awaitPlan(String workflowId) {
        WorkflowStub stub = client.newUntypedWorkflowStub(workflowId);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PLAN_WAIT_SECONDS);
        long pause = 5;
        while (true) {
            try {
                PlanResult plan = stub.query("plan", PlanResult.class);
                if (plan != null) {
                    return plan;
                }
            } catch (WorkflowException notYet) {
                // A real cluster refuses queries before the first workflow task completes: ask again.
                log.debug("plan of {} not readable yet: {}", workflowId, notYet.getMessage());
            }
            if (System.nanoTime() > deadline
                    || stub.describe().getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
                return new PlanResult(null, List.of(), List.of());
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new PlanResult(null, List.of(), List.of());
            }
            pause = Math.min(pause * 2, 200);
        }
    }

    private Optional<AllocationResult> await(String workflowId, int seconds) {
        if (seconds <= 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(client.newUntypedWorkflowStub(workflowId)
                    .getResult(seconds, TimeUnit.SECONDS, AllocationResult.class));
        } catch (TimeoutException e) {
            log.info("workflow {} still running after {} s; the caller follows its status url", workflowId, seconds);
            return Optional.empty();
        }
    }
}
