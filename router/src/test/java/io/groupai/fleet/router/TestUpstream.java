package io.groupai.fleet.router;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real OpenAI-compatible HTTP/1.1 server on a loopback port, written on plain sockets so a test
 * controls every byte: normal, slow, failing (500), dying mid-stream, streaming (SSE, optionally
 * holding back after the first chunk until the test lets it go). Keep-alive like a real server.
 */
final class TestUpstream implements AutoCloseable {

    enum Mode {
        NORMAL,
        FAILING,
        DIE_MID_STREAM
    }

    final String name;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    volatile Mode mode = Mode.NORMAL;
    volatile long delayMillis;
    /** When set, a stream stops after its first chunk until this opens. */
    volatile CountDownLatch holdAfterFirstChunk;

    final AtomicInteger chatRequests = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final List<Map<String, String>> chatHeaders = new CopyOnWriteArrayList<>();

    TestUpstream(String name) throws IOException {
        this(name, 0);
    }

    TestUpstream(String name, int port) throws IOException {
        this.name = name;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        Thread.ofVirtual().name("upstream-" + name).start(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                sockets.add(s);
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            for (; ; ) {
                String requestLine = line(in);
                if (requestLine == null || requestLine.isEmpty()) {
                    return;
                }
                Map<String, String> headers = new HashMap<>();
                for (String h; !(h = line(in)).isEmpty(); ) {
                    int c = h.indexOf(':');
                    headers.put(
                            h.substring(0, c).trim().toLowerCase(Locale.ROOT),
                            h.substring(c + 1).trim());
                }
                int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
                byte[] body = in.readNBytes(length);
                String[] parts = requestLine.split(" ");
                if (!handle(parts[0], parts[1], headers, new String(body, StandardCharsets.UTF_8), out)) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // connection gone
        } finally {
            sockets.remove(s);
        }
    }

    /** False: close the connection. */
    private boolean handle(String method, String path, Map<String, String> headers, String body, OutputStream out)
            throws IOException, InterruptedException {
        if (path.equals("/health")) {
            send(out, 200, "application/json", "{\"status\":\"ok\"}");
            return true;
        }
        if (path.equals("/v1/models")) {
            send(
                    out,
                    200,
                    "application/json",
                    "{\"object\":\"list\",\"data\":[{\"id\":\"gemini-1.5-pro\",\"object\":\"model\",\"owned_by\":\"test\"},"
                            + "{\"id\":\"" + name + "-model\",\"object\":\"model\",\"owned_by\":\"" + name + "\"}]}");
            return true;
        }
        if (!path.equals("/v1/chat/completions") || !method.equals("POST")) {
            send(
                    out,
                    404,
                    "application/json",
                    "{\"error\":{\"message\":\"not found\",\"type\":\"invalid_request_error\"}}");
            return true;
        }
        chatRequests.incrementAndGet();
        chatHeaders.add(headers);
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            if (mode == Mode.FAILING) {
                send(
                        out,
                        500,
                        "application/json",
                        "{\"error\":{\"message\":\"" + name + " is broken\",\"type\":\"server_error\"}}");
                return true;
            }
            boolean stream = body.replace(" ", "").contains("\"stream\":true");
            if (!stream) {
                send(out, 200, "application/json", completion("Hello from " + name));
                return true;
            }
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                            + "Transfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String[] words = {"Once", " upon", " a", " time", " from " + name};
            for (int k = 0; k < words.length; k++) {
                chunk(out, "data: " + chunkJson(words[k], k == 0) + "\n\n");
                if (k == 0) {
                    CountDownLatch hold = holdAfterFirstChunk;
                    if (hold != null && !hold.await(30, TimeUnit.SECONDS)) {
                        return false;
                    }
                }
                if (k == 1 && mode == Mode.DIE_MID_STREAM) {
                    return false; // closes the socket without the terminating chunk
                }
            }
            chunk(out, "data: " + finishJson() + "\n\n");
            chunk(out, "data: [DONE]\n\n");
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return true;
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private String completion(String text) {
        return "{\"id\":\"chatcmpl-" + name + "\",\"object\":\"chat.completion\",\"created\":1700000000,"
                + "\"model\":\"gemini-1.5-pro\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""
                + text + "\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":3,\"total_tokens\":4}}";
    }

    private String chunkJson(String text, boolean first) {
        return "{\"id\":\"chatcmpl-" + name + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"gemini-1.5-pro\",\"choices\":[{\"index\":0,\"delta\":{"
                + (first ? "\"role\":\"assistant\"," : "") + "\"content\":\"" + text
                + "\"},\"finish_reason\":null}]}";
    }

    private String finishJson() {
        return "{\"id\":\"chatcmpl-" + name + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"gemini-1.5-pro\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}";
    }

    private static void chunk(OutputStream out, String data) throws IOException {
        byte[] b = data.getBytes(StandardCharsets.UTF_8);
        out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void send(OutputStream out, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String reason = switch (status) {
            case 200 -> "OK";
            case 404 -> "Not Found";
            default -> "Internal Server Error";
        };
        out.write(("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: " + type + "\r\nContent-Length: " + b.length
                        + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.flush();
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c == -1 && b.size() == 0) {
            return null;
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
