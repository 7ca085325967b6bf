package io.groupai.fleet.node.telegram.tdlib;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Telegram account on one TDLib client: answers TDLib's parameter request itself, tracks the
 * authorization and connection state, maps fatal errors to a status, and exposes the login steps so the
 * control plane can drive phone → code → 2FA password.
 */
public final class TdlibAccount {

    private static final Logger log = LoggerFactory.getLogger(TdlibAccount.class);

    public static final String WAIT_TDLIB_PARAMETERS = "authorizationStateWaitTdlibParameters";
    public static final String WAIT_PHONE_NUMBER = "authorizationStateWaitPhoneNumber";
    public static final String WAIT_CODE = "authorizationStateWaitCode";
    public static final String WAIT_PASSWORD = "authorizationStateWaitPassword";
    public static final String READY = "authorizationStateReady";
    public static final String LOGGING_OUT = "authorizationStateLoggingOut";
    public static final String CLOSING = "authorizationStateClosing";
    public static final String CLOSED = "authorizationStateClosed";

    private final TdlibClientManager manager;
    private final TdlibAccountSpec spec;
    private final int clientId;
    private final TdlibAccountListener listener;
    private final Executor events;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final List<StateWaiter> waiters = new ArrayList<>();

    private volatile String authorizationState = "none";
    private volatile TdlibConnectionState connectionState = TdlibConnectionState.UNKNOWN;
    private volatile TdlibAccountStatus status = TdlibAccountStatus.STARTING;
    // Set once Telegram said the session is dead; survives the authorizationStateClosed that follows.
    private volatile TdlibAccountStatus fatalStatus;
    private volatile boolean closeRequested;

    private record StateWaiter(Set<String> states, CompletableFuture<String> future) {}

    TdlibAccount(
            TdlibClientManager manager,
            TdlibAccountSpec spec,
            int clientId,
            TdlibAccountListener listener,
            Executor events) {
        this.manager = manager;
        this.spec = spec;
        this.clientId = clientId;
        this.listener = listener == null ? TdlibAccountListener.NONE : listener;
        this.events = events;
    }

    public String accountId() {
        return spec.accountId();
    }

    public int clientId() {
        return clientId;
    }

    public Path databaseDirectory() {
        return spec.databaseDirectory();
    }

    /** The latest authorization state type, e.g. {@value #WAIT_PHONE_NUMBER}. */
    public String authorizationState() {
        return authorizationState;
    }

    /** The listener this account was created with (the runtime adapter finds its own through it). */
    TdlibAccountListener listener() {
        return listener;
    }

    public TdlibConnectionState connectionState() {
        return connectionState;
    }

    public TdlibAccountStatus status() {
        return status;
    }

    /** Completes when TDLib reports authorizationStateClosed for this client. */
    public CompletableFuture<Void> closedFuture() {
        return closed.copy();
    }

    void start() {
        // TDLib starts a client with its first request; the answer is the stream of authorization states.
        manager.send(clientId, TdlibClientManager.request("getOption").put("name", "version"))
                .thenAccept(v -> log.debug(
                        "account {}: TDLib {}", accountId(), v.path("value").asText()))
                .exceptionally(e -> {
                    log.warn(
                            "account {}: TDLib did not start: {}",
                            accountId(),
                            rootCause(e).getMessage());
                    return null;
                });
    }

    /**
     * Sends a request; a FLOOD_WAIT up to the configured maximum is waited out and the request retried
     * once. A longer wait, a second FLOOD_WAIT or any other error fails the future with {@link TdlibException}.
     */
    public CompletableFuture<JsonNode> send(ObjectNode request) {
        return sendOnce(request).exceptionallyCompose(e -> {
            if (rootCause(e) instanceof TdlibException te && te.floodWait().isPresent()) {
                Duration wait = te.floodWait().get();
                if (wait.compareTo(manager.config().maxFloodWait()) <= 0) {
                    log.info(
                            "account {}: {} hit FLOOD_WAIT, retrying once after {} s",
                            accountId(),
                            te.requestType(),
                            wait.toSeconds());
                    Executor later = CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS);
                    return CompletableFuture.supplyAsync(() -> null, later).thenCompose(x -> sendOnce(request));
                }
                log.warn(
                        "account {}: {} asked to wait {} s, over the {} s maximum; not retrying",
                        accountId(),
                        te.requestType(),
                        wait.toSeconds(),
                        manager.config().maxFloodWait().toSeconds());
            }
            return CompletableFuture.failedFuture(e);
        });
    }

    /** Sends a request once; errors that end the session mark the account (see {@link TdlibErrors}). */
    public CompletableFuture<JsonNode> sendOnce(ObjectNode request) {
        return manager.send(clientId, request);
    }

    /** Login step 1, in {@value #WAIT_PHONE_NUMBER}. */
    public CompletableFuture<JsonNode> submitPhoneNumber(String phoneNumber) {
        log.info("account {}: submitting phone number {}", accountId(), maskPhone(phoneNumber));
        return send(TdlibClientManager.request("setAuthenticationPhoneNumber").put("phone_number", phoneNumber));
    }

    /** Login step 2, in {@value #WAIT_CODE}. */
    public CompletableFuture<JsonNode> submitCode(String code) {
        log.info("account {}: submitting login code", accountId());
        return send(TdlibClientManager.request("checkAuthenticationCode").put("code", code));
    }

    /** Login step 3 (two-step verification), in {@value #WAIT_PASSWORD}. */
    public CompletableFuture<JsonNode> submitPassword(String password) {
        log.info("account {}: submitting 2FA password", accountId());
        return send(TdlibClientManager.request("checkAuthenticationPassword").put("password", password));
    }

    /** Completes with the state reached once the authorization state is one of {@code states}. */
    public CompletableFuture<String> awaitAuthorizationState(String... states) {
        StateWaiter waiter = new StateWaiter(Set.of(states), new CompletableFuture<>());
        synchronized (waiters) {
            if (waiter.states().contains(authorizationState)) {
                return CompletableFuture.completedFuture(authorizationState);
            }
            waiters.add(waiter);
        }
        return waiter.future();
    }

    /** Asks TDLib to close the client; completes at authorizationStateClosed, or fails after the close timeout. */
    public CompletableFuture<Void> closeAsync() {
        if (!closed.isDone() && !closeRequested) {
            closeRequested = true;
            sendOnce(TdlibClientManager.request("close")).exceptionally(e -> {
                log.debug(
                        "account {}: close request answered {}",
                        accountId(),
                        rootCause(e).getMessage());
                return null;
            });
        }
        return closed.copy().orTimeout(manager.config().closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** {@link #closeAsync()} and wait; true when TDLib confirmed the close in time. */
    public boolean close() {
        try {
            closeAsync().get();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException) {
                log.warn(
                        "account {}: TDLib did not close within {}",
                        accountId(),
                        manager.config().closeTimeout());
                return false;
            }
            throw new IllegalStateException("closing account " + accountId() + " failed", e.getCause());
        }
    }

    /** From the receive thread: queue the update on this account's event sequence. */
    void onUpdate(JsonNode update) {
        events.execute(() -> handleUpdate(update));
    }

    private void handleUpdate(JsonNode update) {
        switch (update.path("@type").asText()) {
            case "updateAuthorizationState" -> onAuthorizationState(update.path("authorization_state"));
            case "updateConnectionState" -> {
                connectionState = TdlibConnectionState.fromTdType(
                        update.path("state").path("@type").asText());
                log.debug("account {}: connection {}", accountId(), connectionState);
                refreshStatus();
            }
            default -> {}
        }
        listener.onUpdate(this, update);
    }

    private void onAuthorizationState(JsonNode state) {
        String type = state.path("@type").asText();
        authorizationState = type;
        log.debug("account {}: {}", accountId(), type);
        if (WAIT_TDLIB_PARAMETERS.equals(type)) {
            send(tdlibParameters()).exceptionally(e -> {
                log.error(
                        "account {}: TDLib refused its parameters: {}",
                        accountId(),
                        rootCause(e).getMessage());
                markFatal(TdlibAccountStatus.FAILED);
                return null;
            });
        }
        if ((LOGGING_OUT.equals(type) || CLOSED.equals(type)) && !closeRequested && fatalStatus == null) {
            // Telegram (or another device) ended this session; the database no longer holds a login.
            markFatal(TdlibAccountStatus.LOGGED_OUT);
        }
        refreshStatus();
        listener.onAuthorizationState(this, state);
        List<StateWaiter> reached = new ArrayList<>();
        synchronized (waiters) {
            for (Iterator<StateWaiter> it = waiters.iterator(); it.hasNext(); ) {
                StateWaiter w = it.next();
                if (w.states().contains(type)) {
                    reached.add(w);
                    it.remove();
                }
            }
        }
        reached.forEach(w -> w.future().complete(type));
        if (CLOSED.equals(type)) {
            manager.unregister(this);
            synchronized (waiters) {
                waiters.forEach(w -> w.future()
                        .completeExceptionally(new IllegalStateException("account " + accountId() + " closed")));
                waiters.clear();
            }
            closed.complete(null);
        }
    }

    private ObjectNode tdlibParameters() {
        TdlibConfig config = manager.config();
        return TdlibClientManager.request("setTdlibParameters")
                .put("use_test_dc", config.useTestDc())
                .put("database_directory", spec.databaseDirectory().toString())
                .put("files_directory", spec.filesDirectory().toString())
                .put("database_encryption_key", spec.databaseKey())
                .put("use_file_database", true)
                .put("use_chat_info_database", true)
                .put("use_message_database", true)
                .put("use_secret_chats", false)
                .put("api_id", config.apiId())
                .put("api_hash", config.apiHash())
                .put("system_language_code", config.systemLanguageCode())
                .put("device_model", config.deviceModel())
                .put("system_version", "")
                .put("application_version", config.applicationVersion());
    }

    /** From the receive thread, in order with this account's updates. */
    void markFatal(TdlibAccountStatus fatal) {
        if (fatalStatus == null) {
            fatalStatus = fatal;
            log.warn("account {}: {}; not retrying, an operator has to act", accountId(), fatal);
        }
        // Status changes reach the listener on the account's event sequence, in order with updates.
        events.execute(this::refreshStatus);
    }

    /** Only on the account's event sequence. */
    private void refreshStatus() {
        TdlibAccountStatus next = deriveStatus();
        if (next != status) {
            status = next;
            log.info("account {}: status {}", accountId(), next);
            listener.onStatus(this, next);
        }
    }

    private TdlibAccountStatus deriveStatus() {
        if (fatalStatus != null) {
            return fatalStatus;
        }
        return switch (authorizationState) {
            case WAIT_PHONE_NUMBER -> TdlibAccountStatus.WAITING_FOR_PHONE_NUMBER;
            case WAIT_CODE -> TdlibAccountStatus.WAITING_FOR_CODE;
            case WAIT_PASSWORD -> TdlibAccountStatus.WAITING_FOR_PASSWORD;
            case READY ->
                connectionState == TdlibConnectionState.READY
                        ? TdlibAccountStatus.READY
                        : TdlibAccountStatus.CONNECTING;
            case LOGGING_OUT, CLOSING -> TdlibAccountStatus.CLOSING;
            case CLOSED -> TdlibAccountStatus.CLOSED;
            case "none", WAIT_TDLIB_PARAMETERS -> TdlibAccountStatus.STARTING;
            default -> TdlibAccountStatus.WAITING_FOR_OTHER;
        };
    }

    /** "+4915112345678" → "+49*******78": enough to tell accounts apart in logs, not enough to dial. */
    static String maskPhone(String phone) {
        if (phone == null || phone.length() < 6) {
            return "***";
        }
        return phone.substring(0, 3) + "*".repeat(phone.length() - 5) + phone.substring(phone.length() - 2);
    }

    static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public String toString() {
        return "TdlibAccount[" + accountId() + ", client " + clientId + ", " + status + "]";
    }
}
