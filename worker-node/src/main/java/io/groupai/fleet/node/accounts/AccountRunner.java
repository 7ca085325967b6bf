package io.groupai.fleet.node.accounts;

import io.groupai.fleet.node.NodeOperationException;
import io.groupai.fleet.node.metrics.NodeMetrics;
import io.groupai.fleet.node.scripts.DialogueManager;
import io.groupai.fleet.node.scripts.DialogueServices;
import io.groupai.fleet.node.scripts.ScriptStore;
import io.groupai.fleet.node.sessions.SessionStore;
import io.groupai.fleet.node.telegram.TelegramAccountState;
import io.groupai.fleet.node.telegram.TelegramException;
import io.groupai.fleet.node.telegram.TelegramListener;
import io.groupai.fleet.node.telegram.TelegramRuntime;
import io.groupai.fleet.node.telegram.TelegramUpdate;
import io.groupai.fleet.node.telegram.TelegramUser;
import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.agent.AccountRuntimeState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accounts of this node: an in-memory registry of their state and statistics, and starting /
 * stopping them through the {@link TelegramRuntime}. Starting is allowed only while the node holds
 * its lease ({@code startPermitted}): a node cut off from the control plane must not run accounts
 * that failover may already have started elsewhere (DESIGN invariant 1).
 *
 * <p>Different accounts start concurrently, at most {@code startParallelism} at a time on the node (a
 * batch of starts waits on Telegram / the network, not on this process); one account's start, stop and
 * login restart are serialised by its own lock. {@link #stopAll} (fencing, shutdown) excludes every
 * start: it waits for the starts in flight and then stops them too, so no start can slip past a fence.
 */
public final class AccountRunner {

    private static final Logger log = LoggerFactory.getLogger(AccountRunner.class);
    /** A scripted reply later than this after its message is stale: dropped rather than sent. */
    static final Duration MAX_REPLY_DELAY = Duration.ofMinutes(5);

    private final TelegramRuntime runtime;
    private final SessionStore sessions;
    private final ScriptStore scripts;
    private final Clock clock;
    private final DialogueServices dialogue;
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    /** Telegram user ids of this node's accounts: never answered unless a script says so. */
    private final Set<Long> fleetUserIds = ConcurrentHashMap.newKeySet();
    /**
     * Telegram user ids of every account of the fleet, from the control plane (sorted; a binary search per
     * message): 100,000 accounts take 800 KB here, where a set of boxed longs would take several MB.
     */
    private volatile long[] fleetWide = new long[0];
    /** Per account: the groups the operator allowed it to talk in (absent or empty: not restricted). */
    private final Map<String, Set<Long>> accountGroups = new ConcurrentHashMap<>();

    private final java.util.concurrent.ScheduledFuture<?> ticker;
    private volatile BooleanSupplier startPermitted = () -> true;
    /** None until the agent installs the control plane's (a runtime then refuses to start an account). */
    private volatile DatabaseKeys databaseKeys = accountId -> null;

    /** Default of {@link #startParallelism()}: the node's START_PARALLELISM. */
    public static final int DEFAULT_START_PARALLELISM = 8;

    /**
     * Shared by every operation on accounts (start, stop, login restart, forget), exclusive for {@link #stopAll}:
     * a fence waits for the starts in flight, and no start begins while it stops everything.
     */
    private final ReentrantReadWriteLock fence = new ReentrantReadWriteLock();
    /** One lock per account id: its start, stop and restart never overlap. Kept for the agent's life (tiny). */
    private final Map<String, ReentrantLock> accountLocks = new ConcurrentHashMap<>();
    /** Bounds the Telegram client starts (session install + runtime start) running at once on the node. */
    private final Semaphore startSlots;

    private final int startParallelism;

    public AccountRunner(TelegramRuntime runtime, SessionStore sessions, ScriptStore scripts, Clock clock) {
        this(runtime, sessions, scripts, clock, DialogueServices.standalone());
    }

    public AccountRunner(
            TelegramRuntime runtime,
            SessionStore sessions,
            ScriptStore scripts,
            Clock clock,
            DialogueServices dialogue) {
        this(runtime, sessions, scripts, clock, dialogue, DEFAULT_START_PARALLELISM);
    }

    /** @param startParallelism how many accounts may be starting at once on this node (at least 1) */
    public AccountRunner(
            TelegramRuntime runtime,
            SessionStore sessions,
            ScriptStore scripts,
            Clock clock,
            DialogueServices dialogue,
            int startParallelism) {
        if (startParallelism < 1) {
            throw new IllegalArgumentException("startParallelism must be at least 1, not " + startParallelism);
        }
        this.startParallelism = startParallelism;
        this.startSlots = new Semaphore(startParallelism, true);
        this.runtime = Objects.requireNonNull(runtime);
        this.sessions = Objects.requireNonNull(sessions);
        this.scripts = Objects.requireNonNull(scripts);
        this.clock = Objects.requireNonNull(clock);
        this.dialogue = Objects.requireNonNull(dialogue);
        // Timers, schedules and scene timeouts of every running account's groups.
        this.ticker = dialogue.scheduler().scheduleWithFixedDelay(this::tickDialogues, 1, 1, TimeUnit.SECONDS);
    }

    private void tickDialogues() {
        for (Account a : accounts.values()) {
            DialogueManager m = a.dialogue;
            if (a.running && m != null) {
                try {
                    m.tick();
                } catch (RuntimeException e) {
                    log.warn("account {}: dialogue timers failed: {}", a.accountId, e.toString());
                }
            }
        }
    }

    /** A user id of another account of the fleet (learned from the control plane), never answered by scripts. */
    public void addFleetUserIds(java.util.Collection<Long> userIds) {
        fleetUserIds.addAll(userIds);
    }

    /**
     * Replaces the fleet-wide Telegram user ids (the control plane's list; this node's own accounts are
     * always included): scripts never answer them unless a script says {@code answer_fleet}.
     */
    public void setFleetUserIds(long[] userIds) {
        long[] sorted = userIds.clone();
        java.util.Arrays.sort(sorted);
        fleetWide = sorted;
    }

    /** True for a Telegram user id of an account of the fleet (this node's or, as far as known, another's). */
    public boolean isFleetUser(long userId) {
        return fleetUserIds.contains(userId) || java.util.Arrays.binarySearch(fleetWide, userId) >= 0;
    }

    /**
     * Replaces every account's allowed groups (from the control plane); running dialogues apply them at once.
     * An account missing from the map is not restricted.
     */
    public void setAccountGroups(Map<String, ? extends java.util.Collection<Long>> groups) {
        Map<String, Set<Long>> next = new java.util.HashMap<>();
        groups.forEach((account, ids) -> next.put(account, Set.copyOf(ids)));
        accountGroups.keySet().retainAll(next.keySet());
        accountGroups.putAll(next);
        for (Account a : accounts.values()) {
            DialogueManager m = a.dialogue;
            if (m != null) {
                m.setAllowedGroups(accountGroups.getOrDefault(a.accountId, Set.of()));
            }
        }
    }

    /** The groups account {@code accountId} may talk in (empty: not restricted). */
    public Set<Long> accountGroups(String accountId) {
        return accountGroups.getOrDefault(accountId, Set.of());
    }

    private DialogueManager newDialogue(Account account, String scriptId) {
        DialogueManager manager = new DialogueManager(
                account.accountId,
                () -> scripts.loadActive(scriptId),
                (chatId, text) -> account.reply(chatId, text, true),
                dialogue.claims(),
                dialogue.ai(),
                dialogue.player(),
                dialogue.scheduler(),
                clock,
                this::isFleetUser,
                java.util.random.RandomGenerator.of("L64X128MixRandom"));
        manager.setAllowedGroups(accountGroups.getOrDefault(account.accountId, Set.of()));
        return manager;
    }

    /** Installed by the heartbeat: true while the lease is valid (may try to renew it first). */
    public void setStartPermitted(BooleanSupplier startPermitted) {
        this.startPermitted = Objects.requireNonNull(startPermitted);
    }

    /** Installed by the agent: the control plane hands each account's TDLib database key ({@link HttpDatabaseKeys}). */
    public void setDatabaseKeys(DatabaseKeys databaseKeys) {
        this.databaseKeys = Objects.requireNonNull(databaseKeys);
    }

    /** What the heartbeat reports per account. */
    public record Snapshot(
            String accountId,
            String status,
            String scriptId,
            long messageCount,
            long replyCount,
            Instant lastActivity,
            List<Long> groupIds,
            Long telegramUserId) {}

    /** One account's registry entry; statistics survive a stop (they are reported until removal). */
    private final class Account implements TelegramListener {
        final String accountId;
        volatile TelegramAccountState state = TelegramAccountState.STOPPED;
        volatile String detail = "";
        volatile String scriptId;
        volatile boolean running;
        volatile long selfUserId = Long.MIN_VALUE;
        volatile String selfUsername;
        final AtomicLong messageCount = new AtomicLong();
        final AtomicLong replyCount = new AtomicLong();
        volatile Instant lastActivity;
        final Set<Long> groupIds = ConcurrentHashMap.newKeySet();
        volatile DialogueManager dialogue;

        Account(String accountId) {
            this.accountId = accountId;
        }

        @Override
        public void onAuthorized(String id, TelegramUser me) {
            selfUserId = me.userId();
            selfUsername = me.username();
            fleetUserIds.add(me.userId());
        }

        @Override
        public void onState(String id, TelegramAccountState next, String why) {
            state = next;
            detail = why == null ? "" : why;
            if (next.isTerminal()) {
                log.error("account {}: {} ({}); it needs a new login, not a retry", accountId, next.status(), detail);
            }
        }

        @Override
        public void onUpdate(TelegramUpdate update) {
            if (update.fromUserId() == selfUserId) {
                return; // our own messages echoed back
            }
            lastActivity = clock.instant();
            groupIds.add(update.chatId());
            if (update.type() == TelegramUpdate.Type.NEW_MESSAGE) {
                messageCount.incrementAndGet();
            }
            DialogueManager manager = dialogue;
            if (manager == null || !running) {
                if (update.type() == TelegramUpdate.Type.NEW_MESSAGE) {
                    NodeMetrics.scriptDecision("no_script");
                }
                return;
            }
            long began = System.nanoTime();
            manager.onUpdate(update, selfUserId, selfUsername);
            NodeMetrics.messageProcessed(Duration.ofNanos(System.nanoTime() - began));
        }

        /**
         * Sends a scripted reply. A FLOOD_WAIT is not waited out on this account's event sequence (that would
         * hold every later update for minutes): the reply is sent once more when the wait is over.
         */
        void reply(long chatId, String text, boolean retryAfterFloodWait) {
            try {
                runtime.sendMessage(accountId, chatId, text);
                replyCount.incrementAndGet();
            } catch (TelegramException e) {
                if (retryAfterFloodWait
                        && e.kind() == TelegramException.Kind.FLOOD_WAIT
                        && e.retryAfter() != null
                        && e.retryAfter().compareTo(MAX_REPLY_DELAY) <= 0) {
                    log.info(
                            "account {}: reply in chat {} hit FLOOD_WAIT, sending it in {} s",
                            accountId,
                            chatId,
                            e.retryAfter().toSeconds());
                    CompletableFuture.delayedExecutor(e.retryAfter().toMillis(), TimeUnit.MILLISECONDS)
                            .execute(() -> {
                                if (running) {
                                    reply(chatId, text, false);
                                }
                            });
                    return;
                }
                log.warn("account {}: reply in chat {} failed ({}): {}", accountId, chatId, e.kind(), e.getMessage());
            }
        }

        AccountRuntimeState view() {
            return new AccountRuntimeState(accountId, state.status(), scriptId, detail);
        }
    }

    public boolean isRunning(String accountId) {
        Account a = accounts.get(accountId);
        return a != null && a.running;
    }

    public int runningCount() {
        return (int) accounts.values().stream().filter(a -> a.running).count();
    }

    /**
     * Starts the account (installing an uploaded session first). Idempotent: a running account
     * stays as it is, except that a different {@code scriptId} is switched to.
     */
    public AccountRuntimeState start(String accountId, String scriptId) {
        return underLocks(accountId, () -> startLocked(accountId, scriptId));
    }

    private AccountRuntimeState startLocked(String accountId, String scriptId) {
        String step = "start-account";
        Account account = accounts.computeIfAbsent(accountId, Account::new);
        if (account.running) {
            if (!Objects.equals(account.scriptId, scriptId)) {
                account.scriptId = scriptId;
                account.dialogue = newDialogue(account, scriptId);
                log.info("account {}: already running, script switched to {}", accountId, scriptId);
            }
            return account.view();
        }
        try {
            startSlots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw NodeOperationException.transientFailure(
                    step, accountId, "interrupted while waiting for a start slot", e);
        }
        try {
            return startClient(account, scriptId);
        } finally {
            startSlots.release();
        }
    }

    /** Checks the lease, installs an uploaded session and starts the client; holds a start slot. */
    private AccountRuntimeState startClient(Account account, String scriptId) {
        String step = "start-account";
        String accountId = account.accountId;
        // Checked once a slot is held, right before the start: a wait for the slot cannot outlive the lease.
        if (!startPermitted.getAsBoolean()) {
            throw new NodeOperationException(
                    step,
                    accountId,
                    FailureTypes.LEASE_NOT_HELD,
                    "the node holds no valid lease from the control plane (heartbeats failing), so it refuses to "
                            + "start accounts until a heartbeat succeeds (fencing)",
                    false,
                    null);
        }
        // From the control plane on every start, before the session is touched: it hands the key only while
        // the account is assigned or reserved to this node, so a node that lost the account cannot open it again.
        String databaseKey = databaseKeys.fetch(accountId);
        if (sessions.uploadPending(accountId)) {
            sessions.install(accountId, true);
        }
        account.scriptId = scriptId;
        account.dialogue = newDialogue(account, scriptId);
        account.state = TelegramAccountState.STARTING;
        account.detail = "";
        try {
            TelegramAccountState reached =
                    runtime.start(accountId, sessions.databaseDir(accountId), databaseKey, account);
            account.state = reached;
            account.running = true;
            log.info(
                    "account {}: started on the {} runtime, state {}, script {}",
                    accountId,
                    runtime.name(),
                    reached.status(),
                    scriptId == null ? "none" : scriptId);
            return account.view();
        } catch (TelegramException e) {
            account.state = e.kind() == TelegramException.Kind.AUTH && e.state() != null
                    ? e.state()
                    : TelegramAccountState.ERROR;
            account.detail = e.getMessage();
            throw new NodeOperationException(step, accountId, failureType(e.kind()), e.getMessage(), !e.retryable(), e);
        }
    }

    /**
     * Makes sure the account has a live client to log in with. A running account whose client ended
     * (revoked or duplicated key, deactivated, logged out elsewhere, closed or failed) is stopped and
     * started again: TDLib then opens the session directory afresh and asks for a phone number. A
     * client that is alive (e.g. already waiting for the code) is left alone.
     */
    public void startForLogin(String accountId) {
        underLocks(accountId, () -> {
            startForLoginLocked(accountId);
            return null;
        });
    }

    private void startForLoginLocked(String accountId) {
        Account account = accounts.get(accountId);
        if (account != null && account.running) {
            TelegramAccountState s = account.state;
            if (!(s.isTerminal() || s == TelegramAccountState.ERROR || s == TelegramAccountState.STOPPED)) {
                return;
            }
            log.info("account {}: client ended ({}), restarting it for a new login", accountId, s.status());
            stop(accountId);
        }
        start(accountId, account == null ? null : account.scriptId);
    }

    /** Stops the account; a stopped or unknown account is a no-op. */
    public AccountRuntimeState stop(String accountId) {
        return underLocks(accountId, () -> stopLocked(accountId));
    }

    private AccountRuntimeState stopLocked(String accountId) {
        Account account = accounts.get(accountId);
        if (account == null) {
            return new AccountRuntimeState(accountId, TelegramAccountState.STOPPED.status(), null, "not on this node");
        }
        if (account.running) {
            account.running = false;
            runtime.stop(accountId);
            log.info("account {}: stopped", accountId);
        }
        account.state = TelegramAccountState.STOPPED;
        return account.view();
    }

    /** Fencing and shutdown: stop everything, logging why. */
    public void stopAll(String reason) {
        // Exclusive: waits until the starts in flight are done (so they are stopped here too), and none begins
        // until every account is stopped.
        fence.writeLock().lock();
        try {
            List<String> running = accounts.values().stream()
                    .filter(a -> a.running)
                    .map(a -> a.accountId)
                    .toList();
            if (!running.isEmpty()) {
                log.warn("stopping all {} running accounts: {}", running.size(), reason);
            }
            // All at once: a stop can wait on the network (the simulated network's goodbye, TDLib's close) for
            // seconds, and one by one the last account of a fenced node stopped 31 s after its lease expired
            // (3 accounts, a frozen control plane), past the 10 s margin after which failover may start it elsewhere.
            try (var stops = Executors.newVirtualThreadPerTaskExecutor()) {
                for (String id : running) {
                    stops.execute(() -> stopFenced(id, reason));
                }
            } // close() waits for every stop
        } finally {
            fence.writeLock().unlock();
        }
    }

    /** One account's stop for {@link #stopAll}, on its own thread: the fence (exclusive) is held by the caller. */
    private void stopFenced(String accountId, String reason) {
        ReentrantLock own = accountLocks.computeIfAbsent(accountId, k -> new ReentrantLock());
        own.lock();
        try {
            stopLocked(accountId);
            accounts.get(accountId).detail = reason;
        } catch (RuntimeException e) {
            log.error("account {}: stop failed during stop-all", accountId, e);
        } finally {
            own.unlock();
        }
    }

    /** Drops a stopped account from the registry (its session was removed). */
    public void forget(String accountId) {
        underLocks(accountId, () -> {
            Account a = accounts.get(accountId);
            if (a != null && !a.running) {
                accounts.remove(accountId);
            }
            return null;
        });
    }

    /** How many accounts may be starting at once on this node. */
    public int startParallelism() {
        return startParallelism;
    }

    /** Runs {@code body} holding the fence (shared) and the account's own lock, in that order (never the reverse). */
    private <T> T underLocks(String accountId, java.util.function.Supplier<T> body) {
        ReentrantLock own = accountLocks.computeIfAbsent(accountId, k -> new ReentrantLock());
        fence.readLock().lock();
        try {
            own.lock();
            try {
                return body.get();
            } finally {
                own.unlock();
            }
        } finally {
            fence.readLock().unlock();
        }
    }

    public List<AccountRuntimeState> list() {
        List<AccountRuntimeState> out = new ArrayList<>();
        accounts.values().forEach(a -> out.add(a.view()));
        // Sessions installed on disk but never started since this agent began are reported too.
        for (String id : sessions.accountsOnDisk()) {
            if (!accounts.containsKey(id)) {
                out.add(new AccountRuntimeState(id, TelegramAccountState.STOPPED.status(), null, "session installed"));
            }
        }
        out.sort(Comparator.comparing(AccountRuntimeState::accountId));
        return out;
    }

    public List<Snapshot> snapshots() {
        return accounts.values().stream()
                .sorted(Comparator.comparing(a -> a.accountId))
                .map(a -> new Snapshot(
                        a.accountId,
                        a.state.status(),
                        a.scriptId,
                        a.messageCount.get(),
                        a.replyCount.get(),
                        a.lastActivity,
                        a.groupIds.stream().sorted().toList(),
                        a.selfUserId == Long.MIN_VALUE ? null : a.selfUserId))
                .toList();
    }

    /** Running accounts using {@code scriptId} re-read it; returns their ids. */
    public List<String> reloadScript(String scriptId) {
        List<String> reloaded = new ArrayList<>();
        for (Account a : accounts.values()) {
            if (a.running && scriptId.equals(a.scriptId) && a.dialogue != null) {
                a.dialogue.reload();
                reloaded.add(a.accountId);
            }
        }
        reloaded.sort(null);
        if (!reloaded.isEmpty()) {
            log.info("script {}: reloaded by accounts {}", scriptId, reloaded);
        }
        return reloaded;
    }

    /** Sends as a running account. */
    public long sendMessage(String accountId, long chatId, String text) {
        String step = "send-message";
        if (!isRunning(accountId)) {
            throw NodeOperationException.rejected(
                    step, accountId, FailureTypes.ACCOUNT_NOT_RUNNING, "the account is not running on this node");
        }
        try {
            long id = runtime.sendMessage(accountId, chatId, text);
            accounts.get(accountId).lastActivity = clock.instant();
            return id;
        } catch (TelegramException e) {
            throw new NodeOperationException(step, accountId, failureType(e.kind()), e.getMessage(), !e.retryable(), e);
        }
    }

    /** Each kind of Telegram failure has its documented type; a new kind must be given one here. */
    static String failureType(TelegramException.Kind kind) {
        return switch (kind) {
            case FLOOD_WAIT -> FailureTypes.TELEGRAM_FLOOD_WAIT;
            case AUTH -> FailureTypes.TELEGRAM_AUTH;
            case NOT_RUNNING -> FailureTypes.TELEGRAM_NOT_RUNNING;
            case NETWORK -> FailureTypes.TELEGRAM_NETWORK;
            case REJECTED -> FailureTypes.TELEGRAM_REJECTED;
        };
    }
}
