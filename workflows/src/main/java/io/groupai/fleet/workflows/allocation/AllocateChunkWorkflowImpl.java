package io.groupai.fleet.workflows.allocation;

import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.agent.AccountRuntimeState;
import io.groupai.fleet.workflows.agent.NodeAgentActivities;
import io.groupai.fleet.workflows.agent.StartAccountRequest;
import io.groupai.fleet.workflows.agent.StartedAccount;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * The per-account sagas of one chunk. Forward steps retry a few times and then give up on that
 * server; compensation steps (stop, release, mark failed) retry on a long schedule, because
 * giving up there would leave a half-placed account behind. Whatever happens to one account ends
 * as that account's outcome and never fails its siblings or the chunk.
 */
public class AllocateChunkWorkflowImpl implements AllocateChunkWorkflow {

    private static final Logger log = Workflow.getLogger(AllocateChunkWorkflowImpl.class);

    /** How long a task may wait on a node's queue: a dead node fails the step after this, not a hung workflow. */
    public static final Duration NODE_SCHEDULE_TO_START = Duration.ofSeconds(30);
    /**
     * At most this many accounts of one server share their forward-step activities (see {@link ServerBatch}).
     * An account's latency is its batch's: the accounts in flight (parallelism x batch) over the rate. 25 made
     * that 200 accounts, 2-4 s at 50-100 accounts/s; 10 keeps it near 0.6 s for little more work per account
     * (the activities and the upload's SFTP channel are shared by 10 instead of 25).
     */
    static final int BATCH_SIZE = 10;
    /**
     * At most this many batches of one server in flight: its uploads and starts are pipelined, but a
     * server (one SSH connection's channels, the agent's start slots) serves 4 batches of 10 faster than 8
     * (one OpenSSH node: 227 instead of 184 accounts/s, p99 0.24 instead of 0.70 s), while `parallelism`
     * still spreads more batches over several servers.
     */
    static final int MAX_BATCHES_PER_SERVER = 4;
    /** Start-to-close of a batched start on a node: a base plus a share per account (starts run one by one). */
    static final Duration NODE_BATCH_START_TO_CLOSE = Duration.ofMinutes(2);

    static final Duration NODE_START_PER_ACCOUNT = Duration.ofSeconds(10);
    /** Polls of listAccounts while an account reports "starting". */
    static final int CONFIRM_POLLS = 10;

    static final RetryOptions BOUNDED_RETRIES = RetryOptions.newBuilder()
            .setInitialInterval(Duration.ofSeconds(1))
            .setMaximumInterval(Duration.ofSeconds(10))
            .setMaximumAttempts(3)
            .setDoNotRetry(
                    FailureTypes.NO_CAPACITY,
                    FailureTypes.SERVER_NOT_ELIGIBLE,
                    FailureTypes.ACCOUNT_UNAVAILABLE,
                    FailureTypes.NO_SESSION,
                    FailureTypes.INVALID_ALLOCATION_REQUEST,
                    FailureTypes.NON_RETRYABLE_NODE_FAILURE)
            .build();

    /**
     * Compensation retries until it succeeds (unlimited attempts, backing off to 5 minutes): a
     * database that is away for a while must not leave {@code allocating} rows behind. Only
     * non-retryable failures (contradictions: the row is not what this claim says) end it.
     */
    static final RetryOptions UNTIL_DONE = RetryOptions.newBuilder()
            .setInitialInterval(Duration.ofSeconds(1))
            .setBackoffCoefficient(2)
            .setMaximumInterval(Duration.ofMinutes(5))
            .setMaximumAttempts(0)
            .build();

    static final ActivityOptions CONTROL_PLANE = ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(2))
            .setRetryOptions(BOUNDED_RETRIES)
            .build();

    static final ActivityOptions COMPENSATION = ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofMinutes(2))
            .setRetryOptions(UNTIL_DONE)
            .build();

    static final ActivityOptions NODE = ActivityOptions.newBuilder()
            .setScheduleToStartTimeout(NODE_SCHEDULE_TO_START)
            .setStartToCloseTimeout(Duration.ofMinutes(2))
            .setRetryOptions(BOUNDED_RETRIES)
            .build();

    /**
     * Stopping an account that may run: retried for up to 10 minutes while the node answers. A
     * dead node ends it at the schedule-to-start timeout (never retried); the fallback is then to
     * keep the account assigned there, marked failed, so it never runs twice.
     */
    static final ActivityOptions NODE_COMPENSATION = ActivityOptions.newBuilder(NODE)
            .setScheduleToCloseTimeout(Duration.ofMinutes(10))
            .setRetryOptions(RetryOptions.newBuilder(UNTIL_DONE)
                    .setMaximumInterval(Duration.ofMinutes(1))
                    .setDoNotRetry(FailureTypes.NON_RETRYABLE_NODE_FAILURE)
                    .build())
            .build();

    private final AllocationActivities allocation = Workflow.newActivityStub(AllocationActivities.class, CONTROL_PLANE);
    private final AllocationActivities compensation =
            Workflow.newActivityStub(AllocationActivities.class, COMPENSATION);
    private final SessionTransferActivities sessions =
            Workflow.newActivityStub(SessionTransferActivities.class, SessionTransferOptions.OPTIONS);
    private final Map<String, NodeAgentActivities> nodes = new HashMap<>();
    private final Map<String, NodeAgentActivities> nodeCompensation = new HashMap<>();
    private final Map<String, AccountProgress> progress = new LinkedHashMap<>();

    private ChunkRequest request;

    @Override
    public AllocationResult allocate(ChunkRequest input) {
        request = input;
        Map<String, AccountOutcome> outcomes = new LinkedHashMap<>();
        for (PlannedPlacement p : request.placements()) {
            outcomes.put(p.accountId(), null);
            progress.put(p.accountId(), new AccountProgress(p.accountId(), "PENDING", p.serverId(), 0, null));
        }

        // Accounts bound for the same server go through their forward steps together, in batches of up to
        // BATCH_SIZE (one activity per step and batch). Batches of different servers, and of the same server,
        // run at the same time, up to `parallelism` batches: uploads and starts to one server are pipelined.
        // A server's batch waits while MAX_BATCHES_PER_SERVER of its batches run; other servers' batches go first.
        int parallelism = Math.max(1, request.parallelism());
        List<Running> running = new ArrayList<>();
        List<List<PlannedPlacement>> waiting = new ArrayList<>(batches(request.placements(), BATCH_SIZE));
        while (!waiting.isEmpty()) {
            List<PlannedPlacement> next = running.size() < parallelism ? startable(waiting, running) : null;
            if (next == null) {
                // Only batches still running are waited on (collect removed the others), so this blocks.
                Promise.anyOf(running.stream().map(Running::done).toList()).get();
                collect(running, outcomes);
            } else {
                waiting.remove(next);
                List<Promise<AccountOutcome>> members = start(next);
                running.add(new Running(next.get(0).serverId(), members, Promise.allOf(members)));
            }
        }
        Promise.allOf(running.stream().map(Running::done).toList()).get();
        collect(running, outcomes);

        List<AccountOutcome> list = new ArrayList<>(outcomes.values());
        int placed = (int) list.stream().filter(AccountOutcome::success).count();
        String workflowId = Workflow.getInfo().getWorkflowId();
        log.info("allocation chunk {} done: {} placed, {} failed", workflowId, placed, list.size() - placed);
        return new AllocationResult(
                workflowId,
                request.type().wireName(),
                request.strategy(),
                list.size(),
                placed,
                list.size() - placed,
                list);
    }

    @Override
    public List<AccountProgress> progress() {
        return List.copyOf(progress.values());
    }

    /**
     * The batches of a chunk: its placements grouped by server (in plan order), cut into batches of
     * at most {@code size} and of even sizes (13 accounts make 7 + 6, not 10 + 3: a batch's cost is
     * mostly per batch), taken round robin over the servers so the first batches reach every server.
     */
    static List<List<PlannedPlacement>> batches(List<PlannedPlacement> placements, int size) {
        Map<String, List<PlannedPlacement>> planned = new LinkedHashMap<>();
        for (PlannedPlacement p : placements) {
            planned.computeIfAbsent(p.serverId(), k -> new ArrayList<>()).add(p);
        }
        Map<String, List<List<PlannedPlacement>>> byServer = new LinkedHashMap<>();
        planned.forEach((serverId, list) -> {
            int count = (list.size() + size - 1) / size;
            List<List<PlannedPlacement>> server = new ArrayList<>();
            for (int b = 0, from = 0; b < count; b++) {
                int to = from + (list.size() - from + (count - b) - 1) / (count - b);
                server.add(list.subList(from, to));
                from = to;
            }
            byServer.put(serverId, server);
        });
        List<List<PlannedPlacement>> out = new ArrayList<>();
        for (int round = 0;
                out.size() < byServer.values().stream().mapToInt(List::size).sum();
                round++) {
            for (List<List<PlannedPlacement>> server : byServer.values()) {
                if (round < server.size()) {
                    out.add(server.get(round));
                }
            }
        }
        return out;
    }

    /** Starts every account's saga of one batch, each on its own workflow thread, sharing a {@link ServerBatch}. */
    private List<Promise<AccountOutcome>> start(List<PlannedPlacement> batch) {
        String serverId = batch.get(0).serverId();
        int n = batch.size();
        ServerBatch shared = new ServerBatch(
                serverId,
                request.operationId(),
                batch.stream().map(PlannedPlacement::accountId).toList(),
                allocation,
                Workflow.newActivityStub(SessionTransferActivities.class, SessionTransferOptions.forBatch(n)),
                nodeStub(
                        ActivityOptions.newBuilder(NODE)
                                .setStartToCloseTimeout(
                                        NODE_BATCH_START_TO_CLOSE.plus(NODE_START_PER_ACCOUNT.multipliedBy(n)))
                                .build(),
                        serverId));
        List<Promise<AccountOutcome>> members = new ArrayList<>();
        for (PlannedPlacement p : batch) {
            members.add(Async.function(this::isolated, p, shared));
        }
        return members;
    }

    /** A batch in flight: its server, its accounts' sagas and their completion. */
    private record Running(String serverId, List<Promise<AccountOutcome>> members, Promise<Void> done) {}

    /** The first waiting batch whose server has fewer than {@link #MAX_BATCHES_PER_SERVER} batches running. */
    private static List<PlannedPlacement> startable(List<List<PlannedPlacement>> waiting, List<Running> running) {
        for (List<PlannedPlacement> batch : waiting) {
            String serverId = batch.get(0).serverId();
            if (running.stream().filter(r -> r.serverId().equals(serverId)).count() < MAX_BATCHES_PER_SERVER) {
                return batch;
            }
        }
        return null;
    }

    private static void collect(List<Running> running, Map<String, AccountOutcome> outcomes) {
        running.removeIf(batch -> {
            if (!batch.done().isCompleted()) {
                return false;
            }
            batch.members().forEach(p -> {
                AccountOutcome outcome = p.get();
                outcomes.put(outcome.accountId(), outcome);
            });
            return true;
        });
    }

    /**
     * One account's saga, isolated: a failure nothing else caught (say, a contradiction reported by
     * a compensation step, or the next-best plan failing) becomes this account's failed outcome.
     */
    private AccountOutcome isolated(PlannedPlacement first, ServerBatch batch) {
        long began = Workflow.currentTimeMillis();
        try {
            return allocateOne(first, began, batch);
        } catch (TemporalFailure f) {
            String accountId = first.accountId();
            AccountProgress at = progress.get(accountId);
            String why = Failures.describe(
                    accountId,
                    at.serverId(),
                    at.state().toLowerCase(java.util.Locale.ROOT),
                    f instanceof ActivityFailure af ? Failures.message(af) : f.getOriginalMessage());
            progress.put(accountId, new AccountProgress(accountId, "FAILED", at.serverId(), at.attempt(), why));
            return new AccountOutcome(
                    accountId, false, null, null, null, why, List.of(why), Workflow.currentTimeMillis() - began);
        }
    }

    /** One account's saga: try the planned server, then up to maxAlternatives next-best ones. */
    private AccountOutcome allocateOne(PlannedPlacement first, long began, ServerBatch batch) {
        String accountId = first.accountId();
        boolean fixed = request.fixed();
        AllocationType type = request.type();
        List<String> tried = new ArrayList<>();
        List<String> attempts = new ArrayList<>();
        int alternativesLeft = fixed ? 0 : Math.max(0, request.maxAlternatives());
        PlannedPlacement candidate = first;
        while (true) {
            tried.add(candidate.serverId());
            // Only the planned server is tried in the batch; a next-best server is tried alone.
            Attempt attempt =
                    tryOn(accountId, candidate.serverId(), tried.size(), type, tried.size() == 1 ? batch : null);
            if (attempt.failure() == null) {
                progress.put(
                        accountId,
                        new AccountProgress(
                                accountId, "PLACED", candidate.serverId(), tried.size(), attempt.remotePath()));
                return new AccountOutcome(
                        accountId,
                        true,
                        candidate.serverId(),
                        attempt.remotePath(),
                        attempt.loadScore(),
                        "account " + accountId + " placed on server " + candidate.serverId(),
                        List.copyOf(attempts),
                        Workflow.currentTimeMillis() - began);
            }
            attempts.add(attempt.failure());
            String giveUp = null;
            if (attempt.terminal()) {
                giveUp = attempt.failure();
            } else if (alternativesLeft-- <= 0) {
                giveUp = attempt.failure() + (fixed ? "" : "; gave up after " + tried.size() + " server(s)");
            } else {
                PlanResult alternative =
                        allocation.plan(new PlanRequest(request.strategy(), List.of(accountId), List.copyOf(tried)));
                if (alternative.placements().isEmpty()) {
                    String why = alternative.unplaced().isEmpty()
                            ? "no other server"
                            : alternative.unplaced().get(0).reason();
                    giveUp = attempt.failure() + "; no next-best server (" + why + ")";
                } else {
                    candidate = alternative.placements().get(0);
                }
            }
            if (giveUp != null) {
                progress.put(
                        accountId,
                        new AccountProgress(accountId, "FAILED", candidate.serverId(), tried.size(), giveUp));
                return new AccountOutcome(
                        accountId,
                        false,
                        null,
                        null,
                        null,
                        giveUp,
                        List.copyOf(attempts),
                        Workflow.currentTimeMillis() - began);
            }
        }
    }

    private record Attempt(String remotePath, Double loadScore, String failure, boolean terminal) {
        static Attempt failed(String failure, boolean terminal) {
            return new Attempt(null, null, failure, terminal);
        }
    }

    /** One attempt on one server; {@code batch} (or null) is the server batch the account walks its forward steps in. */
    private Attempt tryOn(String accountId, String serverId, int attemptNo, AllocationType type, ServerBatch batch) {
        try {
            return attempt(accountId, serverId, attemptNo, type, batch != null && batch.has(accountId) ? batch : null);
        } finally {
            if (batch != null) {
                batch.leave(accountId);
            }
        }
    }

    private Attempt attempt(String accountId, String serverId, int attemptNo, AllocationType type, ServerBatch batch) {
        ReserveRequest claim = new ReserveRequest(accountId, serverId, request.operationId());
        state(accountId, "RESERVING", serverId, attemptNo, null);
        Reservation reservation;
        try {
            ReservedAccount item = batch == null ? null : batch.reserve.call(accountId, accountId);
            if (item != null && item.reservation() != null) {
                reservation = item.reservation();
            } else {
                // Refused in the batch (or alone from the start): the single activity gives the typed failure.
                leave(batch, accountId);
                reservation = allocation.reserve(claim);
            }
        } catch (ActivityFailure f) {
            leave(batch, accountId);
            // Another operation owns the account: neither this nor any other server can help.
            boolean terminal = FailureTypes.ACCOUNT_UNAVAILABLE.equals(Failures.type(f));
            return Attempt.failed(Failures.describe(accountId, serverId, "reserve", f), terminal);
        }

        boolean uploaded = false;
        boolean startAttempted = false;
        String step = "upload-session";
        try {
            state(accountId, "UPLOADING", serverId, attemptNo, null);
            UploadedAccount sent = has(batch, accountId) ? batch.upload.call(accountId, accountId) : null;
            UploadedSession upload;
            if (sent != null && sent.session() != null) {
                upload = sent.session();
            } else {
                leave(batch, accountId);
                upload = sessions.upload(accountId, serverId);
            }
            uploaded = true;

            step = "start-account";
            state(accountId, "STARTING", serverId, attemptNo, upload.remotePath());
            NodeAgentActivities node = node(serverId);
            startAttempted = true;
            StartAccountRequest startRequest = new StartAccountRequest(accountId, reservation.scriptId());
            StartedAccount begun = has(batch, accountId) ? batch.start.call(accountId, startRequest) : null;
            AccountRuntimeState started;
            if (begun != null && begun.state() != null) {
                started = begun.state();
            } else {
                leave(batch, accountId);
                started = node.startAccount(startRequest);
            }

            step = "confirm";
            state(accountId, "CONFIRMING", serverId, attemptNo, started.status());
            if (!"online".equals(started.status())) {
                leave(batch, accountId); // polls on its own; its siblings record without it
            }
            String why = confirm(node, accountId, started);
            if (why != null) {
                throw ApplicationFailure.newNonRetryableFailure(why, FailureTypes.NOT_RUNNING);
            }

            step = "record-history";
            state(accountId, "RECORDING", serverId, attemptNo, null);
            CompleteRequest record = new CompleteRequest(
                    accountId, serverId, type, reservation.loadScore(), request.operationId(), null);
            boolean recorded = has(batch, accountId) && batch.complete.call(accountId, record) == null;
            if (!recorded) {
                leave(batch, accountId);
                allocation.complete(record);
            }
            return new Attempt(upload.remotePath(), reservation.loadScore(), null, false);
        } catch (ActivityFailure f) {
            leave(batch, accountId);
            String failure = Failures.describe(accountId, serverId, step, f);
            boolean neverReachedNode = "start-account".equals(step) && Failures.scheduleToStartTimeout(f);
            return compensate(
                    claim,
                    attemptNo,
                    failure,
                    uploaded,
                    startAttempted && !neverReachedNode,
                    FailureTypes.NO_SESSION.equals(Failures.type(f)));
        } catch (ApplicationFailure notRunning) {
            leave(batch, accountId);
            String failure = Failures.describe(accountId, serverId, step, notRunning.getOriginalMessage());
            return compensate(claim, attemptNo, failure, uploaded, true, false);
        }
    }

    private static boolean has(ServerBatch batch, String accountId) {
        return batch != null && batch.has(accountId);
    }

    private static void leave(ServerBatch batch, String accountId) {
        if (batch != null) {
            batch.leave(accountId);
        }
    }

    /** Null when the account runs; otherwise why not. */
    private String confirm(NodeAgentActivities node, String accountId, AccountRuntimeState state) {
        AccountRuntimeState current = state;
        for (int poll = 0; "starting".equals(current.status()) && poll < CONFIRM_POLLS; poll++) {
            Workflow.sleep(Duration.ofSeconds(1));
            current = node.listAccounts().stream()
                    .filter(a -> accountId.equals(a.accountId()))
                    .findFirst()
                    .orElse(new AccountRuntimeState(accountId, "missing", null, "the node does not list the account"));
        }
        if ("online".equals(current.status())) {
            return null;
        }
        return "the node reports the account " + current.status()
                + (current.detail() == null ? "" : " (" + current.detail() + ")");
    }

    /** Undo in reverse: stop the account (if it may run), remove the upload, release the claim. */
    private Attempt compensate(
            ReserveRequest claim, int attemptNo, String failure, boolean uploaded, boolean mayRun, boolean terminal) {
        String accountId = claim.accountId();
        String serverId = claim.serverId();
        state(accountId, "COMPENSATING", serverId, attemptNo, failure);
        if (mayRun) {
            try {
                nodeCompensation(serverId).stopAccount(accountId);
            } catch (ActivityFailure stopFailed) {
                // It may still run there: keep it on that server (failed) so it is never started elsewhere.
                String why = failure + "; compensation could not stop it (" + Failures.message(stopFailed)
                        + "), so it stays assigned to " + serverId + " marked failed";
                return Attempt.failed(
                        compensate("mark-failed", claim, why, () -> compensation.markFailed(claim, why)), true);
            }
        }
        if (uploaded) {
            try {
                sessions.remove(accountId, serverId);
            } catch (ActivityFailure removeFailed) {
                // A stale copy of a stopped account is harmless; the next upload replaces it.
                log.warn(
                        "account {} on server {}: could not remove the uploaded session: {}",
                        accountId,
                        serverId,
                        Failures.message(removeFailed));
            }
        }
        String released = compensate("release", claim, failure, () -> compensation.release(claim));
        return Attempt.failed(released, terminal || !released.equals(failure));
    }

    /**
     * Runs a compensation step (retried until done); a failure that is not retried (a
     * contradiction) is added to this account's failure, naming the step, and goes no further.
     */
    private String compensate(String step, ReserveRequest claim, String failure, Runnable call) {
        try {
            call.run();
            return failure;
        } catch (ActivityFailure f) {
            log.error(
                    "account {} on server {}: compensation step {} failed: {}",
                    claim.accountId(),
                    claim.serverId(),
                    step,
                    Failures.message(f));
            return failure + "; compensation step " + step + " on server " + claim.serverId() + " failed: "
                    + Failures.message(f);
        }
    }

    private NodeAgentActivities node(String serverId) {
        return nodes.computeIfAbsent(serverId, id -> nodeStub(NODE, id));
    }

    private NodeAgentActivities nodeCompensation(String serverId) {
        return nodeCompensation.computeIfAbsent(serverId, id -> nodeStub(NODE_COMPENSATION, id));
    }

    private NodeAgentActivities nodeStub(ActivityOptions options, String serverId) {
        return Workflow.newActivityStub(
                NodeAgentActivities.class,
                ActivityOptions.newBuilder(options)
                        .setTaskQueue(TaskQueues.node(serverId))
                        .setScheduleToStartTimeout(
                                request.nodeScheduleToStartSeconds() == null
                                        ? NODE_SCHEDULE_TO_START
                                        : Duration.ofSeconds(Math.max(1, request.nodeScheduleToStartSeconds())))
                        .build());
    }

    private void state(String accountId, String state, String serverId, int attempt, String detail) {
        progress.put(accountId, new AccountProgress(accountId, state, serverId, attempt, detail));
    }
}
