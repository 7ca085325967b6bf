package io.groupai.fleet.node.telegram.tdlib;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.groupai.fleet.node.telegram.LoginProgress;
import io.groupai.fleet.node.telegram.LoginState;
import io.groupai.fleet.node.telegram.LoginStep;
import io.groupai.fleet.node.telegram.TelegramAccountState;
import io.groupai.fleet.node.telegram.TelegramException;
import io.groupai.fleet.node.telegram.TelegramListener;
import io.groupai.fleet.node.telegram.TelegramRuntime;
import io.groupai.fleet.node.telegram.TelegramUpdate;
import io.groupai.fleet.node.telegram.TelegramUser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's {@link TelegramRuntime} on real Telegram through TDLib: one {@link TdlibAccount} per running
 * account on the account's session (its TDLib database directory), all served by one
 * {@link TdlibClientManager}. TDLib's statuses become {@link TelegramAccountState}s, its new messages and
 * member joins {@link TelegramUpdate}s (see {@link TdlibUpdateMapper}), and the interactive login is fed
 * through {@link #submitLogin} by the node's login poller.
 */
public final class TdlibTelegramRuntime implements TelegramRuntime {

    private static final Logger log = LoggerFactory.getLogger(TdlibTelegramRuntime.class);

    /** Every authorization state in which TDLib waits for us or has stopped: the client has "settled". */
    static final String[] SETTLED = {
        TdlibAccount.WAIT_PHONE_NUMBER,
        TdlibAccount.WAIT_CODE,
        TdlibAccount.WAIT_PASSWORD,
        TdlibAccount.READY,
        TdlibAccount.LOGGING_OUT,
        TdlibAccount.CLOSING,
        TdlibAccount.CLOSED,
        "authorizationStateWaitEmailAddress",
        "authorizationStateWaitEmailCode",
        "authorizationStateWaitRegistration",
        "authorizationStateWaitOtherDeviceConfirmation",
        "authorizationStateWaitPremiumPurchase"
    };

    /** TDLib answers a send at once (the message is queued); bounded well below the send activity's timeout. */
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final TdlibClientManager manager;
    private final java.util.Map<String, Object> startLocks = new java.util.concurrent.ConcurrentHashMap<>();
    private final Duration startWait;
    private final Duration stepTimeout;
    private final Duration sendTimeout;

    /**
     * @param startWait   how long {@link #start} waits for the client to settle (TDLib opens its database
     *                    first); later states still arrive through the listener
     * @param stepTimeout how long one login step may take, FLOOD_WAIT included (a send gets at most
     *                    {@link #SEND_TIMEOUT})
     */
    public TdlibTelegramRuntime(TdlibClientManager manager, Duration startWait, Duration stepTimeout) {
        this.manager = manager;
        this.startWait = startWait;
        this.stepTimeout = stepTimeout;
        this.sendTimeout = stepTimeout.compareTo(SEND_TIMEOUT) < 0 ? stepTimeout : SEND_TIMEOUT;
    }

    /** Production timings: a login step may wait out the longest FLOOD_WAIT the configuration honours. */
    public TdlibTelegramRuntime(TdlibClientManager manager) {
        this(manager, Duration.ofSeconds(10), manager.config().maxFloodWait().plusSeconds(30));
    }

    @Override
    public String name() {
        return "tdlib";
    }

    @Override
    public TelegramAccountState start(
            String accountId, Path databaseDirectory, String databaseKey, TelegramListener listener)
            throws TelegramException {
        // Per account, not per runtime: waiting up to startWait for one client to open its database must not
        // hold up the other accounts of a batch (TDLib opens them in parallel on its own threads).
        synchronized (startLocks.computeIfAbsent(accountId, k -> new Object())) {
            return startLocked(accountId, databaseDirectory, databaseKey, listener);
        }
    }

    private TelegramAccountState startLocked(
            String accountId, Path databaseDirectory, String databaseKey, TelegramListener listener)
            throws TelegramException {
        TelegramRuntime.requireDatabaseKey(accountId, databaseKey);
        Optional<TdlibAccount> running = manager.account(accountId);
        if (running.isPresent()) {
            return state(running.get().status());
        }
        TdlibAccount account;
        try {
            account = manager.createAccount(
                    TdlibAccountSpec.of(accountId, databaseDirectory, databaseKey), new Adapter(accountId, listener));
        } catch (IllegalStateException e) {
            throw new TelegramException(
                    TelegramException.Kind.NETWORK,
                    "TDLib cannot start account " + accountId + ": " + e.getMessage(),
                    null,
                    null,
                    e);
        }
        try {
            account.awaitAuthorizationState(SETTLED).get(startWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.info(
                    "account {}: TDLib still opening its session after {}; states follow asynchronously",
                    accountId,
                    startWait);
        } catch (ExecutionException e) {
            // Closed while starting (e.g. TDLib refused the database directory): the status below says so.
            log.warn(
                    "account {}: TDLib client ended while starting: {}",
                    accountId,
                    TdlibAccount.rootCause(e).getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TelegramException(
                    TelegramException.Kind.NETWORK, "interrupted while starting " + accountId, null, null, e);
        }
        TelegramAccountState state = state(account.status());
        log.info("account {}: TDLib client {} started, state {}", accountId, account.clientId(), state.status());
        return state;
    }

    @Override
    public void stop(String accountId) {
        manager.account(accountId).ifPresent(account -> {
            try {
                if (!account.close()) {
                    log.warn("account {}: TDLib did not confirm the close in time", accountId);
                }
            } catch (IllegalStateException e) {
                log.warn("account {}: closing the TDLib client failed: {}", accountId, e.getMessage());
            }
        });
    }

    @Override
    public long sendMessage(String accountId, long chatId, String text) throws TelegramException {
        TdlibAccount account = running(accountId);
        ObjectNode request = TdlibClientManager.request("sendMessage").put("chat_id", chatId);
        request.putObject("input_message_content")
                .put("@type", "inputMessageText")
                .putObject("text")
                .put("@type", "formattedText")
                .put("text", text);
        // TDLib answers with the message as queued; its id is the local one until updateMessageSendSucceeded.
        return sendReportingFloodWait(account, request).path("id").asLong();
    }

    /**
     * One request; a FLOOD_WAIT is reported as the account's state (restored once the wait is over) and thrown
     * at once with {@link TelegramException#retryAfter()}. Never waited out here: the caller is an activity
     * (Temporal retries it after the delay, see {@code NodeAgentActivitiesImpl}) or the account's event
     * sequence, and sleeping in either would hold it for minutes and outlast the activity's timeout.
     */
    JsonNode sendReportingFloodWait(TdlibAccount account, ObjectNode request) throws TelegramException {
        try {
            return await(account.sendOnce(request), request, sendTimeout);
        } catch (TdlibException e) {
            Optional<Duration> wait = e.floodWait();
            if (wait.isPresent()) {
                Adapter adapter = adapter(account);
                adapter.report(
                        TelegramAccountState.FLOOD_WAIT,
                        "Telegram asked to wait " + wait.get().toSeconds() + " s (FLOOD_WAIT) before "
                                + e.requestType());
                CompletableFuture.delayedExecutor(wait.get().toMillis(), TimeUnit.MILLISECONDS)
                        .execute(() ->
                                adapter.report(state(account.status()), detail(account.accountId(), account.status())));
            }
            throw translate(account.accountId(), e);
        }
    }

    @Override
    public LoginProgress submitLogin(String accountId, LoginStep step, String value) throws TelegramException {
        TdlibAccount account = running(accountId);
        try {
            // A client started a moment ago may still be opening its database.
            account.awaitAuthorizationState(SETTLED).get(startWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return new LoginProgress(
                    loginState(account), "TDLib is not ready for a login yet (" + account.authorizationState() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TelegramException(TelegramException.Kind.NETWORK, "interrupted", null, null, e);
        }
        String expected = switch (step) {
            case PHONE -> TdlibAccount.WAIT_PHONE_NUMBER;
            case CODE -> TdlibAccount.WAIT_CODE;
            case PASSWORD -> TdlibAccount.WAIT_PASSWORD;
        };
        if (!expected.equals(account.authorizationState())) {
            return new LoginProgress(
                    loginState(account),
                    "TDLib is not waiting for the " + step.wire() + " but in " + account.authorizationState());
        }
        CompletableFuture<JsonNode> answer = switch (step) {
            case PHONE -> account.submitPhoneNumber(value);
            case CODE -> account.submitCode(value);
            case PASSWORD -> account.submitPassword(value);
        };
        try {
            await(answer, TdlibClientManager.request(step.wire()));
        } catch (TdlibException e) {
            if (e.accountStatus().isPresent()) {
                return new LoginProgress(
                        LoginState.FAILED, e.accountStatus().get().name() + ": " + e.tdMessage());
            }
            if (e.floodWait().isPresent()) {
                return new LoginProgress(
                        loginState(account),
                        "FLOOD_WAIT: Telegram asks to wait "
                                + e.floodWait().get().toSeconds() + " s before the " + step.wire() + " is sent again");
            }
            // e.g. PHONE_NUMBER_INVALID, PHONE_CODE_INVALID, PASSWORD_HASH_INVALID: TDLib's message names the error,
            // never the value.
            return new LoginProgress(loginState(account), step.wire() + " refused by Telegram: " + e.tdMessage());
        }
        String[] next = java.util.Arrays.stream(SETTLED)
                .filter(s -> !s.equals(expected))
                .toArray(String[]::new);
        try {
            // The new authorization state is an update that may arrive just after the answer.
            account.awaitAuthorizationState(next).get(startWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            log.debug("account {}: no new authorization state after the {}", accountId, step.wire());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TelegramException(TelegramException.Kind.NETWORK, "interrupted", null, null, e);
        }
        LoginState reached = loginState(account);
        return new LoginProgress(
                reached,
                switch (reached) {
                    case WAITING_CODE -> "Telegram sent the login code";
                    case WAITING_PASSWORD -> "two-step verification: the 2FA password is needed";
                    case AUTHORIZED -> "logged in";
                    case WAITING_PHONE -> "Telegram did not accept the phone number yet";
                    case FAILED -> "TDLib is in " + account.authorizationState() + " (" + account.status() + ")";
                });
    }

    @Override
    public void close() {
        manager.close();
    }

    /** TDLib's derived status as the runtime interface's state. */
    static TelegramAccountState state(TdlibAccountStatus status) {
        return switch (status) {
            case STARTING -> TelegramAccountState.STARTING;
            case WAITING_FOR_PHONE_NUMBER, WAITING_FOR_CODE, WAITING_FOR_PASSWORD, WAITING_FOR_OTHER ->
                TelegramAccountState.WAITING_LOGIN;
            case CONNECTING -> TelegramAccountState.OFFLINE;
            case READY -> TelegramAccountState.ONLINE;
            case CLOSING, CLOSED -> TelegramAccountState.STOPPED;
            // Logged out from another device: the session is gone just as with a revoked one.
            case LOGGED_OUT, SESSION_REVOKED -> TelegramAccountState.SESSION_REVOKED;
            case AUTH_KEY_DUPLICATED -> TelegramAccountState.AUTH_KEY_DUPLICATED;
            case USER_DEACTIVATED -> TelegramAccountState.USER_DEACTIVATED;
            case FAILED -> TelegramAccountState.ERROR;
        };
    }

    /** What an operator reads next to the state. */
    static String detail(String accountId, TdlibAccountStatus status) {
        String login = "POST /api/v1/group-ai/accounts/" + accountId + "/login";
        return switch (status) {
            case STARTING -> "TDLib is opening the session";
            case WAITING_FOR_PHONE_NUMBER -> "no authorized session: log in with " + login;
            case WAITING_FOR_CODE -> "login: waiting for the code (" + login + "/code)";
            case WAITING_FOR_PASSWORD -> "login: waiting for the 2FA password (" + login + "/password)";
            case WAITING_FOR_OTHER ->
                "TDLib asks for a login step this node does not drive (email, registration or QR)";
            case CONNECTING -> "authorized; TDLib is connecting to Telegram and reconnects by itself";
            case READY -> "connected to Telegram";
            case CLOSING, CLOSED -> "TDLib client closed";
            case LOGGED_OUT -> "the session was logged out elsewhere: log in again with " + login;
            case SESSION_REVOKED -> "SESSION_REVOKED: the session was terminated; log in again with " + login;
            case AUTH_KEY_DUPLICATED ->
                "AUTH_KEY_DUPLICATED: the session was used from two places and Telegram revoked it; log in again with "
                        + login;
            case USER_DEACTIVATED -> "USER_DEACTIVATED: the account is banned or deleted";
            case FAILED -> "TDLib refused to start this client (parameters or database directory)";
        };
    }

    static LoginState loginState(TdlibAccount account) {
        if (account.status().needsOperator()) {
            return LoginState.FAILED;
        }
        return switch (account.authorizationState()) {
            case TdlibAccount.WAIT_PHONE_NUMBER -> LoginState.WAITING_PHONE;
            case TdlibAccount.WAIT_CODE -> LoginState.WAITING_CODE;
            case TdlibAccount.WAIT_PASSWORD -> LoginState.WAITING_PASSWORD;
            case TdlibAccount.READY -> LoginState.AUTHORIZED;
            default -> LoginState.FAILED;
        };
    }

    private TdlibAccount running(String accountId) throws TelegramException {
        return manager.account(accountId)
                .orElseThrow(() -> new TelegramException(
                        TelegramException.Kind.NOT_RUNNING,
                        "account " + accountId + " has no TDLib client on this node; start it first"));
    }

    private static Adapter adapter(TdlibAccount account) {
        return account.listener() instanceof Adapter a ? a : new Adapter(account.accountId(), null);
    }

    private JsonNode await(CompletableFuture<JsonNode> future, ObjectNode request) throws TelegramException {
        return await(future, request, stepTimeout);
    }

    private JsonNode await(CompletableFuture<JsonNode> future, ObjectNode request, Duration timeout)
            throws TelegramException {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (TdlibAccount.rootCause(e) instanceof TdlibException te) {
                throw te;
            }
            throw new TelegramException(
                    TelegramException.Kind.NETWORK,
                    request.path("@type").asText() + " failed: "
                            + TdlibAccount.rootCause(e).getMessage(),
                    null,
                    null,
                    e);
        } catch (TimeoutException e) {
            throw new TelegramException(
                    TelegramException.Kind.NETWORK,
                    request.path("@type").asText() + " got no answer within " + timeout,
                    null,
                    null,
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TelegramException(TelegramException.Kind.NETWORK, "interrupted", null, null, e);
        }
    }

    static TelegramException translate(String accountId, TdlibException e) {
        String msg = "account " + accountId + ": " + e.getMessage();
        if (e.accountStatus().isPresent()) {
            return new TelegramException(
                    TelegramException.Kind.AUTH,
                    msg,
                    null,
                    state(e.accountStatus().get()),
                    e);
        }
        if (e.floodWait().isPresent()) {
            return new TelegramException(
                    TelegramException.Kind.FLOOD_WAIT, msg, e.floodWait().get(), TelegramAccountState.FLOOD_WAIT, e);
        }
        if (e.code() == 400 || e.code() == 403 || e.code() == 404) {
            return new TelegramException(TelegramException.Kind.REJECTED, msg, null, null, e);
        }
        return new TelegramException(TelegramException.Kind.NETWORK, msg, null, null, e);
    }

    /** Feeds one account's TDLib events into the runtime interface's listener, on the account's event sequence. */
    static final class Adapter implements TdlibAccountListener {
        private final String accountId;
        private final TelegramListener listener;
        private final TdlibUpdateMapper mapper;
        private volatile boolean meRequested;

        Adapter(String accountId, TelegramListener listener) {
            this.accountId = accountId;
            this.listener = listener;
            this.mapper = new TdlibUpdateMapper(accountId);
        }

        void report(TelegramAccountState state, String detail) {
            if (listener != null) {
                listener.onState(accountId, state, detail);
            }
        }

        @Override
        public void onUpdate(TdlibAccount account, JsonNode update) {
            if (listener == null) {
                return;
            }
            for (TelegramUpdate u : mapper.map(update)) {
                try {
                    listener.onUpdate(u);
                } catch (RuntimeException e) {
                    // One failing handler call must not drop the account's following updates.
                    log.warn("account {}: handling update {} failed", accountId, u.updateId(), e);
                }
            }
        }

        @Override
        public void onStatus(TdlibAccount account, TdlibAccountStatus status) {
            report(state(status), detail(accountId, status));
            if (status == TdlibAccountStatus.READY && !meRequested && listener != null) {
                meRequested = true;
                // Who we are, so the account's own messages echoed back can be ignored.
                account.send(TdlibClientManager.request("getMe"))
                        .thenAccept(me -> listener.onAuthorized(
                                accountId,
                                new TelegramUser(
                                        me.path("id").asLong(),
                                        me.path("first_name").asText(""),
                                        me.path("usernames")
                                                .path("active_usernames")
                                                .path(0)
                                                .asText(""))))
                        .exceptionally(e -> {
                            meRequested = false;
                            log.warn(
                                    "account {}: getMe failed: {}",
                                    accountId,
                                    TdlibAccount.rootCause(e).getMessage());
                            return null;
                        });
            }
        }
    }
}
