package io.groupai.fleet.node.telegram.tdlib;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All TDLib clients of one process. TDLib's client-id API has a single, global {@code td_receive}, so this
 * class owns the one receive thread: each message goes to its client by "@client_id"; a response goes to
 * the request that carried the same "@extra", everything else is an update for the account's listener.
 * Only one manager may be open at a time in a process for that reason.
 */
public final class TdlibClientManager implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TdlibClientManager.class);
    private static final AtomicBoolean OPEN = new AtomicBoolean();
    private static final double RECEIVE_TIMEOUT_SECONDS = 0.5;

    static final ObjectMapper JSON = new ObjectMapper();

    private final TdJson td;
    private final TdlibConfig config;
    private final Map<Integer, TdlibAccount> clients = new ConcurrentHashMap<>();
    private final Map<String, TdlibAccount> byAccountId = new ConcurrentHashMap<>();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextExtra = new AtomicLong(1);
    // Listener calls and future completions run here, never on the receive thread: one slow or blocking
    // listener must not stall the other accounts.
    private final ExecutorService callbacks = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("tdlib-callback-", 0).factory());
    private final Thread receiver;
    private volatile boolean running = true;

    private record Pending(int clientId, String requestType, CompletableFuture<JsonNode> future) {}

    /** Loads libtdjson.so (see {@link TdlibLibrary} for where it is looked for) and starts the receive thread. */
    public static TdlibClientManager start(TdlibConfig config, Optional<Path> deployDir) {
        return new TdlibClientManager(TdlibLibrary.load(deployDir), config);
    }

    public TdlibClientManager(TdJson td, TdlibConfig config) {
        if (!OPEN.compareAndSet(false, true)) {
            throw new IllegalStateException("a TdlibClientManager is already open in this process; td_receive is"
                    + " process-global, so share that one");
        }
        this.td = td;
        this.config = config;
        // Before any client exists: TDLib's default verbosity floods stderr with per-client info logs.
        execute(request("setLogVerbosityLevel").put("new_verbosity_level", config.logVerbosity()));
        receiver = Thread.ofPlatform().name("tdlib-receive").daemon(true).start(this::receiveLoop);
        log.info("TDLib client manager started ({})", config);
    }

    public TdlibConfig config() {
        return config;
    }

    /** A request object of the given TDLib type, to fill in and send. */
    public static ObjectNode request(String type) {
        return JSON.createObjectNode().put("@type", type);
    }

    /** A synchronous TDLib request (td_execute); only the few requests TDLib documents as synchronous work. */
    public JsonNode execute(ObjectNode request) {
        String answer = td.td_execute(write(request));
        if (answer == null) {
            throw new TdlibException(request.path("@type").asText(), 400, "td_execute returned nothing");
        }
        JsonNode node = read(answer);
        if ("error".equals(node.path("@type").asText())) {
            throw TdlibException.of(request.path("@type").asText(), node);
        }
        return node;
    }

    /**
     * Creates a TDLib client on the given database directory and starts it; TDLib then asks for its
     * parameters (answered here) and reports authorization states to the listener.
     */
    public TdlibAccount createAccount(TdlibAccountSpec spec, TdlibAccountListener listener) {
        if (!running) {
            throw new IllegalStateException("TdlibClientManager is closed");
        }
        int clientId = td.td_create_client_id();
        TdlibAccount account = new TdlibAccount(this, spec, clientId, listener, new SerialExecutor(callbacks));
        if (byAccountId.putIfAbsent(spec.accountId(), account) != null) {
            // The client id is unused: TDLib does not start a client before its first request.
            throw new IllegalStateException("account " + spec.accountId() + " already has a TDLib client here");
        }
        clients.put(clientId, account);
        account.start();
        return account;
    }

    public Optional<TdlibAccount> account(String accountId) {
        return Optional.ofNullable(byAccountId.get(accountId));
    }

    public Collection<TdlibAccount> accounts() {
        return List.copyOf(byAccountId.values());
    }

    /** Sends one request to one client; the future fails with {@link TdlibException} on a TDLib error. */
    CompletableFuture<JsonNode> send(int clientId, ObjectNode request) {
        long extra = nextExtra.getAndIncrement();
        ObjectNode copy = request.deepCopy();
        copy.put("@extra", extra);
        String type = request.path("@type").asText();
        CompletableFuture<JsonNode> future = new CompletableFuture<>();
        pending.put(extra, new Pending(clientId, type, future));
        if (!clients.containsKey(clientId)) {
            pending.remove(extra);
            future.completeExceptionally(new TdlibException(type, 500, "client " + clientId + " is closed"));
            return future;
        }
        td.td_send(clientId, write(copy));
        return future;
    }

    private void receiveLoop() {
        while (running) {
            String message;
            try {
                message = td.td_receive(RECEIVE_TIMEOUT_SECONDS);
            } catch (RuntimeException | Error e) {
                // Nothing sensible can continue without td_receive; fail loudly, once.
                log.error("td_receive failed; TDLib clients of this process stop receiving", e);
                return;
            }
            if (message != null) {
                try {
                    dispatch(message);
                } catch (RuntimeException e) {
                    log.warn("could not dispatch a TDLib message", e);
                }
            }
        }
    }

    private void dispatch(String message) {
        JsonNode node = read(message);
        int clientId = node.path("@client_id").asInt(-1);
        JsonNode extra = node.get("@extra");
        if (extra != null && extra.canConvertToLong()) {
            Pending request = pending.remove(extra.asLong());
            if (request != null) {
                complete(request, node, clients.get(clientId));
                return;
            }
        }
        TdlibAccount account = clients.get(clientId);
        if (account == null) {
            // Never log the message itself: updates may carry phone numbers and message text.
            log.debug("TDLib {} for unknown client {}", node.path("@type").asText(), clientId);
            return;
        }
        account.onUpdate(node);
    }

    private void complete(Pending request, JsonNode answer, TdlibAccount account) {
        if (!"error".equals(answer.path("@type").asText())) {
            callbacks.execute(() -> request.future().complete(answer));
            return;
        }
        TdlibException error = TdlibException.of(request.requestType(), answer);
        // Marked here, on the receive thread, so the account's status changes before the updates
        // TDLib sends right after the error (closing, closed) are handled.
        if (account != null) {
            error.accountStatus().ifPresent(account::markFatal);
        }
        callbacks.execute(() -> request.future().completeExceptionally(error));
    }

    /** Called once a client reached authorizationStateClosed: its id is dead, its open requests fail. */
    void unregister(TdlibAccount account) {
        clients.remove(account.clientId());
        byAccountId.remove(account.accountId(), account);
        pending.entrySet().removeIf(e -> {
            if (e.getValue().clientId() != account.clientId()) {
                return false;
            }
            e.getValue()
                    .future()
                    .completeExceptionally(new TdlibException(e.getValue().requestType(), 500, "client closed"));
            return true;
        });
    }

    /** Closes every account (in parallel, each bounded by the close timeout), then stops the receive thread. */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (TdlibAccount account : accounts()) {
            closing.add(account.closeAsync());
        }
        Duration timeout = config.closeTimeout().plusSeconds(1);
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("interrupted while closing TDLib clients");
        } catch (Exception e) {
            log.warn(
                    "not every TDLib client closed within {}: {}",
                    timeout,
                    accounts().stream().map(TdlibAccount::accountId).toList());
        }
        running = false;
        try {
            receiver.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        callbacks.shutdown();
        OPEN.set(false);
        log.info("TDLib client manager closed");
    }

    static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unserialisable TDLib request", e);
        }
    }

    static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("TDLib sent invalid JSON", e);
        }
    }

    /** Runs tasks one after another on a shared executor: per-account ordering without a thread per account. */
    static final class SerialExecutor implements Executor {
        private final Queue<Runnable> tasks = new ArrayDeque<>();
        private final Executor backing;
        private Runnable active;

        SerialExecutor(Executor backing) {
            this.backing = backing;
        }

        @Override
        public synchronized void execute(Runnable task) {
            tasks.add(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("TDLib account listener failed", e);
                } finally {
                    next();
                }
            });
            if (active == null) {
                next();
            }
        }

        private synchronized void next() {
            active = tasks.poll();
            if (active != null) {
                backing.execute(active);
            }
        }
    }
}
