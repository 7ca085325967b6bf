package io.groupai.fleet.node.telegram.tdlib;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * A scripted stand-in for libtdjson, for what the real library cannot show offline (FLOOD_WAIT, revoked
 * sessions, a full login). The handler answers each request with the messages TDLib would emit.
 */
final class TdlibFakeTd implements TdJson {

    private final BlockingQueue<String> out = new LinkedBlockingQueue<>();
    private final AtomicInteger ids = new AtomicInteger();
    final List<JsonNode> sent = new CopyOnWriteArrayList<>();
    volatile BiFunction<Integer, ObjectNode, List<ObjectNode>> handler = (c, r) -> List.of(ok(r));

    static ObjectNode ok(JsonNode request) {
        return answer(request, TdlibClientManager.request("ok"));
    }

    static ObjectNode error(JsonNode request, int code, String message) {
        return answer(
                request, TdlibClientManager.request("error").put("code", code).put("message", message));
    }

    static ObjectNode answer(JsonNode request, ObjectNode answer) {
        answer.set("@extra", request.get("@extra"));
        return answer;
    }

    static ObjectNode authState(String type) {
        ObjectNode update = TdlibClientManager.request("updateAuthorizationState");
        update.set("authorization_state", TdlibClientManager.request(type));
        return update;
    }

    static ObjectNode connection(String type) {
        ObjectNode update = TdlibClientManager.request("updateConnectionState");
        update.set("state", TdlibClientManager.request(type));
        return update;
    }

    /** Emits an unsolicited update for a client, as TDLib would. */
    void emit(int clientId, ObjectNode update) {
        update.put("@client_id", clientId);
        out.add(TdlibClientManager.write(update));
    }

    long count(String requestType) {
        return sent.stream()
                .filter(r -> requestType.equals(r.path("@type").asText()))
                .count();
    }

    @Override
    public int td_create_client_id() {
        return ids.incrementAndGet();
    }

    @Override
    public void td_send(int clientId, String request) {
        ObjectNode node = (ObjectNode) TdlibClientManager.read(request);
        sent.add(node);
        for (ObjectNode message : handler.apply(clientId, node)) {
            emit(clientId, message);
        }
    }

    @Override
    public String td_receive(double timeout) {
        try {
            return out.poll((long) (timeout * 1000), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public String td_execute(String request) {
        return "{\"@type\":\"ok\"}";
    }
}
