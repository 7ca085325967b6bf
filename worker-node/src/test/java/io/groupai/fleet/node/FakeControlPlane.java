package io.groupai.fleet.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small in-test control plane on 127.0.0.1: the heartbeat endpoint, the SIMULATED Telegram
 * network's protocol and static files, exactly as the agent's protocol describes them. Every call
 * must carry {@code Authorization: Bearer <token>}.
 */
public final class FakeControlPlane implements AutoCloseable {

    public static final String TOKEN = "test-node-token-s3cr3t";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    public final List<JsonNode> heartbeats = new CopyOnWriteArrayList<>();
    public final List<JsonNode> sentMessages = new CopyOnWriteArrayList<>();
    /** Bodies of POST /api/v1/workers/{node}/scenes, with "path" added. */
    public final List<JsonNode> sceneRequests = new CopyOnWriteArrayList<>();

    public final List<String> connects = new CopyOnWriteArrayList<>();
    /**
     * When above 1, a connect waits (at most 8 s, under the client's 10 s call timeout) until this many connects
     * are at the server at once; {@link #maxConnectsInFlight} tells how many ever were.
     */
    public volatile int connectRendezvous;

    public final java.util.concurrent.atomic.AtomicInteger maxConnectsInFlight =
            new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger connectsInFlight =
            new java.util.concurrent.atomic.AtomicInteger();
    public final List<String> disconnects = new CopyOnWriteArrayList<>();
    public final List<String> unauthorized = new CopyOnWriteArrayList<>();
    public final Map<String, byte[]> files = new ConcurrentHashMap<>();
    /** The checksum the control plane vouches for, sent with a file as the real one sends it with a session. */
    public final Map<String, String> fileSha256 = new ConcurrentHashMap<>();
    /** Commands handed out with the next heartbeat reply (then cleared). */
    public final List<JsonNode> pendingCommands = new CopyOnWriteArrayList<>();

    public volatile boolean heartbeatDown;
    /** The simulated network answers 503 to update polls while set. */
    public volatile boolean simUpdatesDown;
    /** Accounts the simulated network does not know as connected (it restarted): polls answer 409 until a connect. */
    private final java.util.Set<String> simForgotten = ConcurrentHashMap.newKeySet();

    /**
     * The simulated network restarts, as with the control plane: it forgets every connection, drops the queued
     * updates and numbers updates from 1 again.
     */
    public void simRestart() {
        simForgotten.addAll(
                connects.stream().map(c -> c.substring(0, c.lastIndexOf('@'))).toList());
        updateIds.set(1);
        updates.clear();
    }

    /** The simulated network answers 429 (flood wait) to sends while set. */
    public volatile boolean simFloodWait;
    /** How many sends were answered with 429. */
    public final java.util.concurrent.atomic.AtomicInteger floodWaitAnswers =
            new java.util.concurrent.atomic.AtomicInteger();
    /** account id → script id (or null): the assigned_accounts of every heartbeat reply. */
    public final Map<String, String> assignedAccounts = new java.util.concurrent.ConcurrentSkipListMap<>();
    /** The lease_expires_at the heartbeat answers with; null = now + 60 s. */
    public volatile Instant leaseExpiresAt;
    /** A rotation: the token the control plane now expects; the old one still works and gets this one in replies. */
    public volatile String rotatedToken;
    /** The Authorization header of every heartbeat, in order. */
    public final List<String> heartbeatAuthorizations = new CopyOnWriteArrayList<>();

    /**
     * The body of {@code GET /api/v1/workers/{node}/dialogue} ({@code version}, {@code fleet_user_ids},
     * {@code account_groups}); while set, heartbeat replies carry its version as {@code dialogue_version}.
     */
    public volatile JsonNode dialogue;
    /** How many times a node downloaded the dialogue config. */
    public final java.util.concurrent.atomic.AtomicInteger dialogueDownloads =
            new java.util.concurrent.atomic.AtomicInteger();
    /** Accounts whose database key this control plane refuses (403), as for an account of another node. */
    public final java.util.Set<String> refusedDatabaseKeys = ConcurrentHashMap.newKeySet();
    /** The account of every database key handed out, in order. */
    public final List<String> databaseKeyFetches = new CopyOnWriteArrayList<>();

    private final Map<String, LinkedBlockingQueue<JsonNode>> updates = new ConcurrentHashMap<>();
    private final AtomicLong updateIds = new AtomicLong(1);
    private final AtomicLong messageIds = new AtomicLong(1000);

    public FakeControlPlane() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The database key this control plane hands out for the account (stable, distinct per account). */
    public static String databaseKey(String accountId) {
        try {
            return java.util.Base64.getEncoder()
                    .encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(("test-database-key-" + accountId).getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Queues a simulated update for the account's next poll. */
    public void pushUpdate(
            String accountId,
            String type,
            long chatId,
            String chatTitle,
            long fromUserId,
            String firstName,
            String text) {
        ObjectNode u = JSON.createObjectNode();
        u.put("update_id", updateIds.getAndIncrement());
        u.put("type", type);
        u.put("chat_id", chatId);
        u.put("chat_title", chatTitle);
        u.put("message_id", messageIds.getAndIncrement());
        u.put("from_user_id", fromUserId);
        u.put("from_first_name", firstName);
        if (text != null) {
            u.put("text", text);
        }
        u.put("date", Instant.now().toString());
        queue(accountId).add(u);
    }

    /** Queues a message that replies to message {@code replyToMessageId} of {@code replyToUserId}. */
    public void pushReply(
            String accountId,
            long chatId,
            long fromUserId,
            String firstName,
            String text,
            long replyToMessageId,
            long replyToUserId) {
        ObjectNode u = JSON.createObjectNode();
        u.put("update_id", updateIds.getAndIncrement());
        u.put("type", "new_message");
        u.put("chat_id", chatId);
        u.put("chat_title", "Test Group");
        u.put("message_id", messageIds.getAndIncrement());
        u.put("from_user_id", fromUserId);
        u.put("from_first_name", firstName);
        u.put("text", text);
        u.put("date", Instant.now().toString());
        u.put("reply_to_message_id", replyToMessageId);
        u.put("reply_to_user_id", replyToUserId);
        queue(accountId).add(u);
    }

    /** The simulated user id an account connects as. */
    public static long simulatedUserId(String accountId) {
        return 1000 + Math.abs(accountId.hashCode() % 1000);
    }

    public void addCommand(long id, String action, Map<String, String> params) {
        ObjectNode c = JSON.createObjectNode();
        c.put("id", id);
        c.put("action", action);
        ObjectNode p = c.putObject("params");
        params.forEach(p::put);
        pendingCommands.add(c);
    }

    private LinkedBlockingQueue<JsonNode> queue(String accountId) {
        return updates.computeIfAbsent(accountId, k -> new LinkedBlockingQueue<>());
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String authorization = ex.getRequestHeaders().getFirst("Authorization");
            if (!("Bearer " + TOKEN).equals(authorization)
                    && !(rotatedToken != null && ("Bearer " + rotatedToken).equals(authorization))) {
                unauthorized.add(path);
                send(ex, 401, "{\"error\":\"unauthorized\"}");
                return;
            }
            byte[] body = ex.getRequestBody().readAllBytes();
            if (path.equals("/api/v1/workers/heartbeat")) {
                heartbeatAuthorizations.add(authorization);
                heartbeat(ex, body, authorization);
            } else if (path.startsWith("/api/v1/sim-telegram/accounts/")) {
                simTelegram(ex, path.substring("/api/v1/sim-telegram/accounts/".length()), body);
            } else if (path.matches("/api/v1/workers/[^/]+/scenes")) {
                ObjectNode scene = (ObjectNode) JSON.readTree(body);
                scene.put("path", path);
                sceneRequests.add(scene);
                send(ex, 201, "{\"workflow_id\": \"scene-test\", \"started\": true}");
            } else if (path.matches("/api/v1/workers/[^/]+/dialogue") && dialogue != null) {
                dialogueDownloads.incrementAndGet();
                send(ex, 200, dialogue.toString());
            } else if (path.matches("/api/v1/workers/[^/]+/accounts/[^/]+/database-key")) {
                String accountId = java.net.URLDecoder.decode(path.split("/")[6], StandardCharsets.UTF_8);
                if (refusedDatabaseKeys.contains(accountId)) {
                    send(ex, 403, "{\"detail\": \"account " + accountId + " is not assigned to this node\"}");
                } else {
                    databaseKeyFetches.add(accountId);
                    send(
                            ex,
                            200,
                            JSON.createObjectNode()
                                    .put("account_id", accountId)
                                    .put("database_encryption_key", databaseKey(accountId))
                                    .toString());
                }
            } else if (path.matches("/api/v1/workers/[^/]+/logins")) {
                // No login is ever pending here; wait a little as the real long poll does.
                Thread.sleep(200);
                send(ex, 200, "[]");
            } else if (path.startsWith("/files/") && files.containsKey(path.substring(7))) {
                byte[] content = files.get(path.substring(7));
                String sha = fileSha256.get(path.substring(7));
                if (sha != null) {
                    ex.getResponseHeaders().add("X-Session-SHA256", sha);
                }
                ex.sendResponseHeaders(200, content.length);
                ex.getResponseBody().write(content);
            } else {
                send(ex, 404, "{\"error\":\"not found\"}");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void heartbeat(HttpExchange ex, byte[] body, String authorization) throws IOException {
        if (heartbeatDown) {
            send(ex, 503, "{\"error\":\"down\"}");
            return;
        }
        JsonNode beat = JSON.readTree(body);
        heartbeats.add(beat);
        ObjectNode reply = JSON.createObjectNode();
        reply.put("ok", true);
        reply.put(
                "lease_expires_at",
                (leaseExpiresAt == null ? Instant.now().plusSeconds(60) : leaseExpiresAt).toString());
        if (rotatedToken != null && !("Bearer " + rotatedToken).equals(authorization)) {
            reply.put("node_token", rotatedToken);
        }
        JsonNode d = dialogue;
        if (d != null) {
            reply.put("dialogue_version", d.path("version").asText());
        }
        ArrayNode cmds = reply.putArray("pending_commands");
        List<JsonNode> now = new ArrayList<>(pendingCommands);
        pendingCommands.removeAll(now);
        now.forEach(cmds::add);
        if (!beat.path("want_assigned_accounts").asBoolean(false)) {
            send(ex, 200, reply.toString()); // as the control plane: the list only when asked for
            return;
        }
        ArrayNode assigned = reply.putArray("assigned_accounts");
        assignedAccounts.forEach((account, script) -> {
            ObjectNode a = assigned.addObject().put("account_id", account);
            if (!script.isEmpty()) {
                a.put("script_id", script);
            }
        });
        send(ex, 200, reply.toString());
    }

    private void simTelegram(HttpExchange ex, String rest, byte[] body) throws IOException, InterruptedException {
        String[] parts = rest.split("/");
        String accountId = java.net.URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
        String op = parts.length > 1 ? parts[1] : "";
        switch (op) {
            case "connect" -> {
                connects.add(
                        accountId + "@" + JSON.readTree(body).path("node_id").asText());
                simForgotten.remove(accountId);
                maxConnectsInFlight.accumulateAndGet(connectsInFlight.incrementAndGet(), Math::max);
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
                    while (connectRendezvous > 1
                            && maxConnectsInFlight.get() < connectRendezvous
                            && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                } finally {
                    connectsInFlight.decrementAndGet();
                }
                send(
                        ex,
                        200,
                        "{\"user_id\": " + simulatedUserId(accountId) + ", \"first_name\": \"Sim " + accountId
                                + "\", \"username\": \"sim_" + accountId + "\"}");
            }
            case "updates" -> {
                if (simUpdatesDown) {
                    send(ex, 503, "{\"error\":\"simulated outage\"}");
                    return;
                }
                if (simForgotten.contains(accountId)) {
                    send(ex, 409, "{\"detail\":\"account " + accountId + " is not connected\"}");
                    return;
                }
                Map<String, String> q = query(ex.getRequestURI().getRawQuery());
                long offset = Long.parseLong(q.getOrDefault("offset", "0"));
                long timeout = Math.min(Long.parseLong(q.getOrDefault("timeout_ms", "1000")), 2000);
                LinkedBlockingQueue<JsonNode> queue = queue(accountId);
                ArrayNode out = JSON.createArrayNode();
                JsonNode first = queue.poll(timeout, TimeUnit.MILLISECONDS);
                if (first != null) {
                    List<JsonNode> all = new ArrayList<>(List.of(first));
                    queue.drainTo(all);
                    all.stream()
                            .filter(u -> u.get("update_id").asLong() >= offset)
                            .forEach(out::add);
                }
                send(ex, 200, "{\"updates\": " + out + "}");
            }
            case "messages" -> {
                if (simFloodWait) {
                    floodWaitAnswers.incrementAndGet();
                    send(ex, 429, "{\"error\":\"FLOOD_WAIT_5\"}");
                    return;
                }
                ObjectNode m = (ObjectNode) JSON.readTree(body);
                m.put("account_id", accountId);
                sentMessages.add(m);
                send(ex, 200, "{\"message_id\": " + messageIds.getAndIncrement() + "}");
            }
            case "disconnect" -> {
                disconnects.add(accountId);
                send(ex, 200, "{}");
            }
            default -> send(ex, 404, "{}");
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new ConcurrentHashMap<>();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                String[] p = kv.split("=", 2);
                out.put(p[0], p.length > 1 ? p[1] : "");
            }
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
