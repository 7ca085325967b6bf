package io.groupai.fleet.node.telegram;

import io.groupai.fleet.node.ControlPlaneHttp;
import io.groupai.fleet.node.ControlPlaneHttp.HttpStatusException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIMULATED Telegram: a client of the control plane's simulated chat network
 * ({@code /api/v1/sim-telegram/...}), used by the demo and by tests of chat behaviour. It talks to
 * no real Telegram server and needs no session: the database directory is ignored.
 *
 * <p>One virtual thread per running account long-polls its updates; after a network error the
 * account is reported {@code offline} and the poll is retried with a growing pause (at most 30 s)
 * until it succeeds, then the account is {@code online} again.
 */
public final class SimulatedTelegramRuntime implements TelegramRuntime {

    private static final Logger log = LoggerFactory.getLogger(SimulatedTelegramRuntime.class);
    private static final String API = "/api/v1/sim-telegram/accounts/";
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final ControlPlaneHttp http;
    private final String nodeId;
    private final Duration pollTimeout;
    private final Map<String, SimClient> clients = new ConcurrentHashMap<>();
    private final Map<String, LoginState> simulatedLogins = new ConcurrentHashMap<>();
    private final Map<String, Object> startLocks = new ConcurrentHashMap<>();

    /** The SIMULATED login accepts any phone number, then only this code... */
    public static final String SIMULATED_CODE = "12345";
    /** ...and then only this 2FA password. Nothing here talks to Telegram. */
    public static final String SIMULATED_PASSWORD = "secret";

    /** @param pollTimeout how long one long poll may wait on the server side */
    public SimulatedTelegramRuntime(ControlPlaneHttp http, String nodeId, Duration pollTimeout) {
        this.http = Objects.requireNonNull(http, "http");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.pollTimeout = Objects.requireNonNull(pollTimeout, "pollTimeout");
    }

    @Override
    public String name() {
        return "simulated";
    }

    // Wire records of the simulated network's protocol (snake_case through ControlPlaneHttp.JSON).
    record ConnectRequest(String nodeId) {}

    record ConnectReply(long userId, String firstName, String username) {}

    record SimUpdate(
            long updateId,
            String type,
            long chatId,
            String chatTitle,
            long messageId,
            long fromUserId,
            String fromFirstName,
            String text,
            String date,
            Long replyToMessageId,
            Long replyToUserId) {}

    record UpdatesReply(List<SimUpdate> updates) {}

    record SendRequest(long chatId, String text) {}

    record SendReply(long messageId) {}

    @Override
    public TelegramAccountState start(
            String accountId, Path databaseDirectory, String databaseKey, TelegramListener listener)
            throws TelegramException {
        // The simulated network keeps no database, but takes the key as TDLib would: a node that was not
        // handed the key (not assigned the account) cannot run it here either.
        TelegramRuntime.requireDatabaseKey(accountId, databaseKey);
        // Per account, not per runtime: the connect call waits on the network, and other accounts' starts
        // go on meanwhile (a batch of starts is pipelined, not serialised).
        synchronized (startLocks.computeIfAbsent(accountId, k -> new Object())) {
            return startLocked(accountId, listener);
        }
    }

    private TelegramAccountState startLocked(String accountId, TelegramListener listener) throws TelegramException {
        SimClient running = clients.get(accountId);
        if (running != null) {
            return running.state;
        }
        ConnectReply me;
        try {
            me = http.postJson(
                    API + enc(accountId) + "/connect", new ConnectRequest(nodeId), ConnectReply.class, CALL_TIMEOUT);
        } catch (IOException e) {
            throw failure(accountId, "connect", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TelegramException(TelegramException.Kind.NETWORK, "interrupted while connecting", null, null, e);
        }
        if (me == null) {
            throw new TelegramException(TelegramException.Kind.NETWORK, "simulated network: empty connect reply");
        }
        TelegramUser user = new TelegramUser(me.userId(), me.firstName(), me.username());
        SimClient client = new SimClient(accountId, listener);
        clients.put(accountId, client);
        listener.onAuthorized(accountId, user);
        client.setState(TelegramAccountState.ONLINE, "simulated network, user " + user.userId());
        client.thread = Thread.ofVirtual().name("sim-telegram-" + accountId).start(client::pollLoop);
        log.info("simulated Telegram: account {} connected as simulated user {}", accountId, user.userId());
        return TelegramAccountState.ONLINE;
    }

    @Override
    public void stop(String accountId) {
        SimClient client = clients.remove(accountId);
        if (client == null) {
            return;
        }
        client.stopped = true;
        client.thread.interrupt();
        try {
            client.thread.join(Duration.ofSeconds(5));
            http.postJson(API + enc(accountId) + "/disconnect", null, Void.class, CALL_TIMEOUT);
        } catch (IOException e) {
            // The network forgets idle clients on its own; a failed goodbye must not block the stop.
            log.warn(
                    "simulated Telegram: account {} stopped, disconnect call failed: {}",
                    accountId,
                    ControlPlaneHttp.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("simulated Telegram: interrupted while stopping account {}", accountId);
        }
        client.listener.onState(accountId, TelegramAccountState.STOPPED, "stopped");
        log.info("simulated Telegram: account {} disconnected", accountId);
    }

    @Override
    public long sendMessage(String accountId, long chatId, String text) throws TelegramException {
        if (!clients.containsKey(accountId)) {
            throw new TelegramException(
                    TelegramException.Kind.NOT_RUNNING, "account " + accountId + " is not running on this node");
        }
        try {
            SendReply reply = http.postJson(
                    API + enc(accountId) + "/messages", new SendRequest(chatId, text), SendReply.class, CALL_TIMEOUT);
            if (reply == null) {
                throw new TelegramException(TelegramException.Kind.NETWORK, "simulated network: empty send reply");
            }
            return reply.messageId();
        } catch (IOException e) {
            throw failure(accountId, "send message", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TelegramException(TelegramException.Kind.NETWORK, "interrupted while sending", null, null, e);
        }
    }

    /**
     * A SIMULATED login, so the control plane's login flow can be exercised end to end without Telegram:
     * any phone number, then code {@value #SIMULATED_CODE}, then password {@value #SIMULATED_PASSWORD}.
     * It does not need the account to be connected (the simulated network needs no session).
     */
    @Override
    public LoginProgress submitLogin(String accountId, LoginStep step, String value) {
        LoginState current = simulatedLogins.getOrDefault(accountId, LoginState.WAITING_PHONE);
        LoginState expected = switch (step) {
            case PHONE -> LoginState.WAITING_PHONE;
            case CODE -> LoginState.WAITING_CODE;
            case PASSWORD -> LoginState.WAITING_PASSWORD;
        };
        if (step == LoginStep.PHONE) {
            // A new phone number restarts the login, as TDLib does after logOut.
            current = LoginState.WAITING_PHONE;
        }
        if (current != expected) {
            return new LoginProgress(
                    current, "SIMULATED login: not waiting for the " + step.wire() + " (state " + current.wire() + ")");
        }
        LoginProgress next = switch (step) {
            case PHONE ->
                value != null && value.matches("\\+?[0-9]{5,20}")
                        ? new LoginProgress(
                                LoginState.WAITING_CODE,
                                "SIMULATED login: code sent (the simulated code is " + SIMULATED_CODE + ")")
                        : new LoginProgress(LoginState.WAITING_PHONE, "SIMULATED login: PHONE_NUMBER_INVALID");
            case CODE ->
                SIMULATED_CODE.equals(value)
                        ? new LoginProgress(LoginState.WAITING_PASSWORD, "SIMULATED login: 2FA password required")
                        : new LoginProgress(
                                LoginState.WAITING_CODE, "SIMULATED login: PHONE_CODE_INVALID; send the code again");
            case PASSWORD ->
                SIMULATED_PASSWORD.equals(value)
                        ? new LoginProgress(LoginState.AUTHORIZED, "SIMULATED login: authorized")
                        : new LoginProgress(
                                LoginState.WAITING_PASSWORD,
                                "SIMULATED login: PASSWORD_HASH_INVALID; send the password again");
        };
        simulatedLogins.put(accountId, next.state());
        log.info(
                "simulated Telegram: account {} login step {} -> {}",
                accountId,
                step.wire(),
                next.state().wire());
        return next;
    }

    @Override
    public void close() {
        for (String accountId : List.copyOf(clients.keySet())) {
            stop(accountId);
        }
    }

    /** Maps HTTP answers onto the same failure kinds TDLib produces (429 → FLOOD_WAIT, 4xx → rejected). */
    private static TelegramException failure(String accountId, String step, IOException e) {
        String msg =
                "simulated network: " + step + " for account " + accountId + " failed: " + ControlPlaneHttp.describe(e);
        if (e instanceof HttpStatusException s) {
            if (s.status() == 429) {
                return new TelegramException(TelegramException.Kind.FLOOD_WAIT, msg, Duration.ofSeconds(5), null, e);
            }
            if (s.status() / 100 == 4) {
                return new TelegramException(TelegramException.Kind.REJECTED, msg, null, null, e);
            }
        }
        return new TelegramException(TelegramException.Kind.NETWORK, msg, null, null, e);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private final class SimClient {
        final String accountId;
        final TelegramListener listener;
        volatile TelegramAccountState state = TelegramAccountState.STARTING;
        volatile boolean stopped;
        Thread thread;
        long offset;

        SimClient(String accountId, TelegramListener listener) {
            this.accountId = accountId;
            this.listener = listener;
        }

        void setState(TelegramAccountState next, String detail) {
            if (state != next) {
                state = next;
                listener.onState(accountId, next, detail);
            }
        }

        void pollLoop() {
            long pauseMs = 500;
            while (!stopped) {
                try {
                    UpdatesReply reply = http.getJson(
                            API + enc(accountId) + "/updates?offset=" + offset + "&timeout_ms="
                                    + pollTimeout.toMillis(),
                            UpdatesReply.class,
                            pollTimeout.plusSeconds(10));
                    setState(TelegramAccountState.ONLINE, "simulated network reachable again");
                    pauseMs = 500;
                    if (reply != null && reply.updates() != null) {
                        for (SimUpdate u : reply.updates()) {
                            offset = Math.max(offset, u.updateId() + 1);
                            deliver(u);
                        }
                    }
                } catch (InterruptedException e) {
                    // stop() interrupts the poll; the loop condition ends it.
                    Thread.currentThread().interrupt();
                    return;
                } catch (IOException | RuntimeException e) {
                    if (stopped) {
                        return;
                    }
                    if (e instanceof HttpStatusException s && s.status() == 409 && reconnect()) {
                        pauseMs = 500;
                        continue;
                    }
                    log.warn(
                            "simulated Telegram: account {} cannot poll updates ({}); retrying in {} ms",
                            accountId,
                            ControlPlaneHttp.describe(e),
                            pauseMs);
                    setState(
                            TelegramAccountState.OFFLINE,
                            "simulated network unreachable: " + ControlPlaneHttp.describe(e));
                    try {
                        Thread.sleep(pauseMs);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    pauseMs = Math.min(pauseMs * 2, 30_000);
                }
            }
        }

        /**
         * The network answered 409: it does not know this account as connected. It lives in the control
         * plane's memory, so a control plane restarted while this node kept the account running forgot the
         * connection (and numbers updates from 1 again). Connect again and read from the start.
         */
        private boolean reconnect() {
            try {
                ConnectReply me = http.postJson(
                        API + enc(accountId) + "/connect",
                        new ConnectRequest(nodeId),
                        ConnectReply.class,
                        CALL_TIMEOUT);
                if (me == null || stopped) {
                    return false;
                }
                offset = 0;
                listener.onAuthorized(accountId, new TelegramUser(me.userId(), me.firstName(), me.username()));
                setState(TelegramAccountState.ONLINE, "simulated network, connected again as user " + me.userId());
                log.info(
                        "simulated Telegram: account {} connected again as simulated user {} (the network had "
                                + "forgotten the connection: the control plane restarted)",
                        accountId,
                        me.userId());
                return true;
            } catch (IOException e) {
                log.warn(
                        "simulated Telegram: account {} cannot connect again: {}",
                        accountId,
                        ControlPlaneHttp.describe(e));
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        private void deliver(SimUpdate u) {
            TelegramUpdate.Type type = switch (u.type() == null ? "" : u.type()) {
                case "new_message" -> TelegramUpdate.Type.NEW_MESSAGE;
                case "new_member" -> TelegramUpdate.Type.NEW_MEMBER;
                default -> null;
            };
            if (type == null) {
                log.debug(
                        "simulated Telegram: account {} ignores update {} of type {}",
                        accountId,
                        u.updateId(),
                        u.type());
                return;
            }
            Instant date;
            try {
                date = u.date() == null ? Instant.now() : Instant.parse(u.date());
            } catch (DateTimeParseException e) {
                date = Instant.now();
            }
            try {
                listener.onUpdate(new TelegramUpdate(
                        accountId,
                        u.updateId(),
                        type,
                        u.chatId(),
                        u.chatTitle(),
                        u.messageId(),
                        u.fromUserId(),
                        u.fromFirstName(),
                        u.text(),
                        date,
                        u.replyToMessageId() == null ? 0 : u.replyToMessageId(),
                        u.replyToUserId() == null ? 0 : u.replyToUserId()));
            } catch (RuntimeException e) {
                // One bad update (or handler bug) must not end the account's receive loop.
                log.warn("simulated Telegram: account {} failed to handle update {}", accountId, u.updateId(), e);
            }
        }
    }
}
