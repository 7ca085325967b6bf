package io.groupai.fleet.node.heartbeat;

import com.fasterxml.jackson.databind.JsonNode;
import io.groupai.fleet.node.ControlPlaneHttp;
import io.groupai.fleet.node.accounts.AccountRunner;
import io.groupai.fleet.node.accounts.Concurrently;
import io.groupai.fleet.node.heartbeat.HeartbeatMessages.AccountEntry;
import io.groupai.fleet.node.heartbeat.HeartbeatMessages.AssignedAccount;
import io.groupai.fleet.node.heartbeat.HeartbeatMessages.Command;
import io.groupai.fleet.node.heartbeat.HeartbeatMessages.DialogueConfig;
import io.groupai.fleet.node.heartbeat.HeartbeatMessages.FailedCommand;
import io.groupai.fleet.node.heartbeat.HeartbeatMessages.Heartbeat;
import io.groupai.fleet.node.heartbeat.HeartbeatMessages.Reply;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every interval: report the accounts to the control plane, renew the lease from its reply, run
 * its {@code pending_commands} and acknowledge them in the next heartbeat ({@code acked_commands},
 * {@code failed_commands}). A separate, more frequent check fences the node: when the lease runs
 * out without renewal, all accounts are stopped and starting is refused until a heartbeat
 * succeeds again. Optionally (throw-away nodes only) the agent gives up altogether when no
 * heartbeat has been accepted for a set time: see {@link #exitWhenControlPlaneLost}.
 */
public final class HeartbeatService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HeartbeatService.class);
    static final String PATH = "/api/v1/workers/heartbeat";

    /** Executes one pending command; throws with a readable message when it fails. */
    public interface CommandHandler {
        void execute(String action, JsonNode params) throws Exception;
    }

    private final String nodeId;
    private final ControlPlaneHttp http;
    private final AccountRunner accounts;
    private final java.util.function.Function<String, String> sessionFile;
    private final CommandHandler commands;
    private final Lease lease;
    private final Clock clock;
    private final Duration interval;

    // Guarded by "results": command outcomes waiting to be reported.
    private final Object results = new Object();
    private final Set<Long> acked = new LinkedHashSet<>();
    private final Map<Long, String> failed = new LinkedHashMap<>();
    // Guarded by beatLock: ids already taken on (so a command the control plane re-sends before it
    // saw our ack is not executed twice).
    private final Set<Long> executed = new LinkedHashSet<>();
    private final ReentrantLock beatLock = new ReentrantLock();
    // Commands (a session download may take minutes) run here, so heartbeats, and with them the
    // lease, keep flowing meanwhile; one thread keeps them in the order they were sent.
    private final ExecutorService commandThread = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("heartbeat-commands").factory());
    // Not under beatLock: the lease check must not wait behind a slow heartbeat or command.
    private final java.util.concurrent.atomic.AtomicBoolean fenced = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile ScheduledExecutorService scheduler;
    // When a heartbeat was last accepted (or the service was created); what "control plane lost" is measured from.
    private volatile Instant lastContact;
    private volatile Duration exitAfterLost;
    private volatile Runnable onLost;
    private volatile java.util.function.Consumer<String> onTokenRotated = token -> {};
    private final java.util.concurrent.atomic.AtomicBoolean lost = new java.util.concurrent.atomic.AtomicBoolean();
    // Set at start and whenever the node fenced itself: the next accepted heartbeat brings back the
    // accounts the control plane assigns to this node (a lease lapse must not stop the fleet for good).
    private final java.util.concurrent.atomic.AtomicBoolean restoreDue =
            new java.util.concurrent.atomic.AtomicBoolean(true);
    private volatile Predicate<String> hasSession = accountId -> true;
    private volatile String dialogueVersion;
    private final java.util.concurrent.atomic.AtomicBoolean dialogueFetching =
            new java.util.concurrent.atomic.AtomicBoolean();

    public HeartbeatService(
            String nodeId,
            ControlPlaneHttp http,
            AccountRunner accounts,
            java.util.function.Function<String, String> sessionFile,
            CommandHandler commands,
            Clock clock,
            Duration interval) {
        this.nodeId = Objects.requireNonNull(nodeId);
        this.http = Objects.requireNonNull(http);
        this.accounts = Objects.requireNonNull(accounts);
        this.sessionFile = Objects.requireNonNull(sessionFile);
        this.commands = Objects.requireNonNull(commands);
        this.clock = Objects.requireNonNull(clock);
        this.interval = Objects.requireNonNull(interval);
        this.lease = new Lease(clock);
        this.lastContact = clock.instant();
    }

    /**
     * Runs {@code action} once when no heartbeat has been accepted for {@code after} (checked with
     * the lease, every second). The agent uses it to exit when its control plane is gone for good,
     * e.g. the local demo's app was killed: nobody else would ever stop it.
     */
    public void exitWhenControlPlaneLost(Duration after, Runnable action) {
        this.onLost = Objects.requireNonNull(action);
        this.exitAfterLost = Objects.requireNonNull(after);
    }

    public Lease lease() {
        return lease;
    }

    /**
     * Called with the new token after the control plane rotated it (the agent writes it into its
     * configuration file, so a restart keeps working after the old token's grace period).
     */
    public void onTokenRotated(java.util.function.Consumer<String> listener) {
        this.onTokenRotated = Objects.requireNonNull(listener);
    }

    /** Which assigned accounts can be brought back: those whose session is on this node. */
    public void restoreOnly(Predicate<String> hasSession) {
        this.hasSession = Objects.requireNonNull(hasSession);
    }

    /**
     * Heartbeats now and then every interval, or every {@link #RETRY_WITHOUT_LEASE} while the node holds no
     * lease; checks the lease every second.
     */
    public synchronized void start() {
        scheduler = Executors.newScheduledThreadPool(
                2, Thread.ofPlatform().daemon().name("heartbeat-", 0).factory());
        long tick = Math.min(interval.toMillis(), 1000);
        scheduler.scheduleWithFixedDelay(this::beatWhenDue, 0, tick, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::checkLeaseLogged, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * How often a node without a valid lease (fenced, or not yet granted one) tries to reach the control plane.
     * It runs no account then, and every account it should run waits for that heartbeat: a restarted control
     * plane would otherwise wait up to a whole interval (30 s) for each node.
     */
    public static final Duration RETRY_WITHOUT_LEASE = Duration.ofSeconds(3);

    // System.nanoTime() when the last heartbeat began; 0 before the first
    private volatile long lastBeatStarted;

    /** Checked every tick, so a lease that runs out shortens the wait for the beat already due later. */
    private void beatWhenDue() {
        long now = System.nanoTime();
        if (lastBeatStarted != 0 && now - lastBeatStarted < nextBeatIn().toNanos()) {
            return;
        }
        lastBeatStarted = now;
        beatLogged();
    }

    private Duration nextBeatIn() {
        return lease.valid() || RETRY_WITHOUT_LEASE.compareTo(interval) >= 0 ? interval : RETRY_WITHOUT_LEASE;
    }

    private void beatLogged() {
        try {
            beat();
        } catch (RuntimeException e) {
            // A scheduled task that throws would end the heartbeats; keep them alive.
            log.error("heartbeat failed unexpectedly", e);
        }
    }

    private void checkLeaseLogged() {
        try {
            checkLease();
        } catch (RuntimeException e) {
            log.error("lease check failed unexpectedly", e);
        }
    }

    /**
     * For startAccount: true when the lease is valid, after one immediate renewal attempt if not.
     * Waits at most 15 s for a heartbeat already in flight, so a caller is never stuck behind it.
     */
    public boolean ensureLease() {
        if (lease.valid()) {
            return true;
        }
        try {
            if (!beatLock.tryLock(15, TimeUnit.SECONDS)) {
                return lease.valid();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            return lease.valid() || (beatLocked() && lease.valid());
        } finally {
            beatLock.unlock();
        }
    }

    /** One heartbeat; true when the control plane answered. Failures are logged, never thrown. */
    public boolean beat() {
        beatLock.lock();
        try {
            return beatLocked();
        } finally {
            beatLock.unlock();
        }
    }

    /** Waits until every command taken on so far has finished (tests, shutdown). */
    public void awaitCommands(Duration timeout) throws InterruptedException, java.util.concurrent.TimeoutException {
        try {
            commandThread.submit(() -> {}).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("no-op task failed", e);
        }
    }

    private boolean beatLocked() {
        List<Long> ackedNow;
        Map<Long, String> failedNow;
        synchronized (results) {
            ackedNow = List.copyOf(acked);
            failedNow = new LinkedHashMap<>(failed); // keeps the order they failed in
        }
        Heartbeat body = body(ackedNow, failedNow);
        Reply reply;
        try {
            reply = http.postJson(PATH, body, Reply.class, Duration.ofSeconds(10));
        } catch (IOException e) {
            log.warn(
                    "heartbeat to {} failed: {}; retrying in {}",
                    http.base(),
                    ControlPlaneHttp.describe(e),
                    nextBeatIn());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (reply == null || Boolean.FALSE.equals(reply.ok())) {
            log.warn("heartbeat to {} was not accepted (ok=false)", http.base());
            return false;
        }
        lastContact = clock.instant();
        synchronized (results) {
            ackedNow.forEach(acked::remove);
            failedNow.keySet().forEach(failed::remove);
        }
        renew(reply);
        if (reply.nodeToken() != null && !reply.nodeToken().isBlank() && http.replaceToken(reply.nodeToken())) {
            log.info("node token rotated by the control plane: using the new one from now on (not logged)");
            try {
                onTokenRotated.accept(reply.nodeToken());
            } catch (RuntimeException e) {
                log.error("could not store the rotated node token: {}", ControlPlaneHttp.describe(e));
            }
        }
        if (reply.pendingCommands() != null) {
            for (Command c : reply.pendingCommands()) {
                takeOn(c);
            }
        }
        if (restoreDue.compareAndSet(true, false)) {
            restore(reply.assignedAccounts());
        }
        if (reply.dialogueVersion() != null && !reply.dialogueVersion().equals(dialogueVersion)) {
            refreshDialogue(reply.dialogueVersion());
        }
        return true;
    }

    /**
     * Downloads the fleet's user ids and this node's account groups when their version changed (the heartbeat
     * carries only the version, so 100,000 ids are not resent every interval). On the command thread, so a
     * slow download holds no heartbeat; a failure is retried at the next heartbeat.
     */
    private void refreshDialogue(String version) {
        if (!dialogueFetching.compareAndSet(false, true)) {
            return;
        }
        try {
            commandThread.execute(() -> {
                try {
                    DialogueConfig config = http.getJson(
                            "/api/v1/workers/"
                                    + java.net.URLEncoder.encode(nodeId, java.nio.charset.StandardCharsets.UTF_8)
                                    + "/dialogue",
                            DialogueConfig.class,
                            Duration.ofSeconds(30));
                    if (config == null) {
                        return;
                    }
                    accounts.setFleetUserIds(config.fleetUserIds() == null ? new long[0] : config.fleetUserIds());
                    accounts.setAccountGroups(config.accountGroups() == null ? Map.of() : config.accountGroups());
                    dialogueVersion = config.version() == null ? version : config.version();
                    log.info(
                            "dialogue config {}: {} fleet user ids, allowed groups for {} accounts",
                            dialogueVersion,
                            config.fleetUserIds() == null ? 0 : config.fleetUserIds().length,
                            config.accountGroups() == null
                                    ? 0
                                    : config.accountGroups().size());
                } catch (IOException | RuntimeException e) {
                    log.warn(
                            "dialogue config {} not loaded: {}; retrying at the next heartbeat",
                            version,
                            ControlPlaneHttp.describe(e));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    dialogueFetching.set(false);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            dialogueFetching.set(false);
        }
    }

    /** The version of the dialogue config in use (null before the first download). */
    public String dialogueVersion() {
        return dialogueVersion;
    }

    private void renew(Reply reply) {
        Instant expiry = null;
        if (reply.leaseExpiresAt() != null) {
            try {
                expiry = Instant.parse(reply.leaseExpiresAt());
            } catch (DateTimeParseException e) {
                log.warn("heartbeat reply has an unreadable lease_expires_at '{}'", reply.leaseExpiresAt());
            }
        }
        if (expiry == null) {
            // A seed-protocol control plane grants no explicit lease: assume three missed beats.
            expiry = clock.instant().plus(interval.multipliedBy(3));
        }
        lease.renew(expiry);
        if (fenced.compareAndSet(true, false)) {
            log.info("lease renewed until {}: accounts may be started again", expiry);
        }
    }

    /**
     * Starts the assigned accounts this node does not run, on the command thread (after any command
     * of the same reply, e.g. a session download). The lease was just renewed, so starts are allowed;
     * an account the control plane is moving away is not in the list (it is held by an operation).
     */
    private void restore(List<AssignedAccount> assigned) {
        if (assigned == null || assigned.isEmpty()) {
            return;
        }
        List<AssignedAccount> todo = assigned.stream()
                .filter(a -> a.accountId() != null && !accounts.isRunning(a.accountId()))
                .toList();
        if (todo.isEmpty()) {
            return;
        }
        try {
            commandThread.execute(() -> {
                List<String> skipped = new ArrayList<>();
                List<AssignedAccount> startable = new ArrayList<>();
                for (AssignedAccount a : todo) {
                    if (hasSession.test(a.accountId())) {
                        startable.add(a);
                    } else {
                        skipped.add(a.accountId());
                    }
                }
                // Concurrently, as the control plane's batches (bounded by the runner's start parallelism).
                int started = Concurrently.map(
                                startable,
                                "restore-account-",
                                a -> {
                                    accounts.start(a.accountId(), a.scriptId());
                                    return true;
                                },
                                (a, e) -> {
                                    log.warn(
                                            "account {}: not brought back: {}",
                                            a.accountId(),
                                            ControlPlaneHttp.describe(e));
                                    return false;
                                })
                        .stream()
                        .mapToInt(ok -> ok ? 1 : 0)
                        .sum();
                log.info(
                        "brought back {} of {} accounts the control plane assigns to this node{}",
                        started,
                        todo.size(),
                        skipped.isEmpty() ? "" : "; no session here for " + skipped);
                if (started > 0) {
                    // Report them now: the beat that renewed the lease reported them stopped, and the
                    // control plane would show them so for another interval.
                    beatLogged();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.warn("assigned accounts not brought back: the agent is shutting down");
        }
    }

    private void takeOn(Command c) {
        if (c.id() == null) {
            log.warn("heartbeat reply carries a command without id (action {}); ignored", c.action());
            return;
        }
        if (!executed.add(c.id())) {
            return;
        }
        if (executed.size() > 1000) {
            executed.remove(executed.iterator().next());
        }
        try {
            commandThread.execute(() -> run(c));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.warn("command {} ({}) not run: the agent is shutting down", c.id(), c.action());
        }
    }

    private void run(Command c) {
        try {
            commands.execute(c.action() == null ? "" : c.action(), c.params());
            synchronized (results) {
                acked.add(c.id());
            }
            log.info("command {} ({}) done", c.id(), c.action());
        } catch (Exception e) {
            String error = ControlPlaneHttp.describe(e);
            synchronized (results) {
                failed.put(c.id(), error);
            }
            log.warn("command {} ({}) failed: {}", c.id(), c.action(), error);
        }
    }

    private Heartbeat body(List<Long> ackedNow, Map<Long, String> failedNow) {
        List<AccountEntry> entries = new ArrayList<>();
        for (AccountRunner.Snapshot s : accounts.snapshots()) {
            entries.add(new AccountEntry(
                    s.accountId(),
                    s.status(),
                    s.scriptId(),
                    s.messageCount(),
                    s.replyCount(),
                    s.lastActivity() == null ? null : s.lastActivity().toString(),
                    sessionFile.apply(s.accountId()),
                    s.groupIds(),
                    s.telegramUserId()));
        }
        List<FailedCommand> failures = failedNow.entrySet().stream()
                .map(e -> new FailedCommand(e.getKey(), e.getValue()))
                .toList();
        return new Heartbeat(
                nodeId,
                "online",
                entries.size(),
                entries,
                ackedNow.isEmpty() ? null : ackedNow,
                failures.isEmpty() ? null : failures,
                restoreDue.get() ? Boolean.TRUE : null,
                dialogueVersion);
    }

    /**
     * Fences the node when its lease ran out; returns true when it is fenced. Also gives up (see
     * {@link #exitWhenControlPlaneLost}) when the control plane has been unreachable for too long.
     */
    public boolean checkLease() {
        checkControlPlaneLost();
        if (lease.valid() || lease.expiresAt() == null || !fenced.compareAndSet(false, true)) {
            return fenced.get();
        }
        restoreDue.set(true);
        accounts.stopAll("lease expired at " + lease.expiresAt()
                + " without renewal (control plane unreachable); fencing so that failover may start them elsewhere");
        return true;
    }

    private void checkControlPlaneLost() {
        Duration after = exitAfterLost;
        Instant since = lastContact;
        if (after == null || clock.instant().isBefore(since.plus(after)) || !lost.compareAndSet(false, true)) {
            return;
        }
        log.error(
                "no heartbeat accepted by {} since {} (EXIT_AFTER_CONTROL_PLANE_LOST={}): the control plane is gone; exiting",
                http.base(),
                since,
                after);
        onLost.run();
    }

    @Override
    public void close() {
        commandThread.shutdownNow();
        ScheduledExecutorService scheduler = this.scheduler;
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                    log.warn("heartbeat thread did not stop within 5 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
