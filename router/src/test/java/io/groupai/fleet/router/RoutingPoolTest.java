package io.groupai.fleet.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool against real HTTP upstreams on loopback, called through the official OpenAI Java SDK
 * (and plain HTTP where the test needs headers).
 */
class RoutingPoolTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void tearDown() throws Exception {
        for (int k = closeLater.size() - 1; k >= 0; k--) {
            closeLater.get(k).close();
        }
        http.close();
    }

    private TestUpstream upstream(String name) throws Exception {
        TestUpstream u = new TestUpstream(name);
        closeLater.add(u);
        return u;
    }

    private String account(TestUpstream u, String extra) {
        return "{\"id\": \"" + u.name + "\", \"base_url\": \"" + u.baseUrl() + "\", \"weight\": 1, \"enabled\": true"
                + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    private Path writeConfig(List<String> accounts, String router) throws Exception {
        Path file = dir.resolve("multi_account_config.json");
        Files.writeString(
                file,
                "{\"accounts\": [" + String.join(",", accounts) + "], \"router\": {\"host\": \"127.0.0.1\", \"port\": 0"
                        + (router.isEmpty() ? "" : ", " + router)
                        + "}, \"logging\": {\"level\": \"INFO\", \"file\": \"logs/router_manager.log\"}}");
        return file;
    }

    private RoutingPool start(List<String> accounts, String router) throws Exception {
        RoutingPool pool = RoutingPool.start(RoutingPool.Options.of(writeConfig(accounts, router)));
        closeLater.add(pool);
        return pool;
    }

    private OpenAIClient client(RoutingPool pool, String key) {
        OpenAIClient c = OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + pool.port() + "/v1")
                .apiKey(key)
                .maxRetries(0) // the pool's behaviour, not the SDK's retries, is under test
                .timeout(Duration.ofSeconds(20))
                .build();
        closeLater.add(c::close);
        return c;
    }

    private static ChatCompletionCreateParams hello(boolean streamHint) {
        return ChatCompletionCreateParams.builder()
                .model("gemini-1.5-pro")
                .addUserMessage(streamHint ? "讲个故事" : "Hello")
                .build();
    }

    private static String text(ChatCompletion c) {
        return c.choices().get(0).message().content().orElseThrow();
    }

    private HttpResponse<String> get(RoutingPool pool, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pool.port() + path))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(RoutingPool pool, String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pool.port() + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode instanceStatus(RoutingPool pool, String id) throws Exception {
        for (JsonNode i : JSON.readTree(get(pool, "/router/status").body()).path("instances")) {
            if (i.path("id").asText().equals(id)) {
                return i;
            }
        }
        throw new AssertionError("no instance " + id);
    }

    @Test
    void roundRobinSpreadsCompletionsFromTheOpenAiSdkOverTheUpstreams() throws Exception {
        TestUpstream a = upstream("a");
        TestUpstream b = upstream("b");
        RoutingPool pool = start(List.of(account(a, ""), account(b, "")), "\"strategy\": \"roundrobin\"");
        OpenAIClient client = client(pool, "any");

        List<String> servedBy = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
            servedBy.add(text(client.chat().completions().create(hello(false))));
        }

        assertThat(servedBy).containsOnly("Hello from a", "Hello from b");
        assertThat(a.chatRequests.get()).isEqualTo(3);
        assertThat(b.chatRequests.get()).isEqualTo(3);
        JsonNode status = JSON.readTree(get(pool, "/router/status").body());
        assertThat(status.path("strategy").asText()).isEqualTo("roundrobin");
        JsonNode sa = instanceStatus(pool, "a");
        assertThat(sa.path("total_requests").asLong()).isEqualTo(3);
        assertThat(sa.path("failed_requests").asLong()).isZero();
        assertThat(sa.path("current_concurrent").asInt()).isZero();
        assertThat(sa.path("port").asInt()).isEqualTo(a.port());
        assertThat(sa.has("last_heartbeat")).isTrue();
        assertThat(sa.path("enabled").asBoolean()).isTrue();
    }

    @Test
    void streamingIsPassedThroughChunkByChunkNotBuffered() throws Exception {
        TestUpstream a = upstream("a");
        CountDownLatch hold = new CountDownLatch(1);
        a.holdAfterFirstChunk = hold;
        RoutingPool pool = start(List.of(account(a, "")), "");
        OpenAIClient client = client(pool, "any");

        try (StreamResponse<ChatCompletionChunk> stream =
                client.chat().completions().createStreaming(hello(true))) {
            Iterator<ChatCompletionChunk> it = stream.stream().iterator();
            // The upstream sends nothing more until the caller has the first chunk: a pool that
            // buffered the response would hang here.
            ChatCompletionChunk first =
                    CompletableFuture.supplyAsync(it::next).get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(first.choices().get(0).delta().content()).contains("Once");
            hold.countDown();
            StringBuilder rest = new StringBuilder();
            it.forEachRemaining(
                    c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(rest::append)));
            assertThat(rest.toString()).isEqualTo(" upon a time from a");
        }
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(
                                instanceStatus(pool, "a").path("total_requests").asLong())
                        .isEqualTo(1));
        assertThat(instanceStatus(pool, "a").path("failed_requests").asLong()).isZero();
    }

    @Test
    void anUnreachableInstanceIsRetriedOnAnother() throws Exception {
        TestUpstream gone = upstream("gone");
        TestUpstream good = upstream("good");
        RoutingPool pool = start(
                List.of(account(gone, ""), account(good, "")),
                "\"strategy\": \"roundrobin\", \"allowed_fails\": 100, \"health_check_interval\": 3600");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(
                                instanceStatus(pool, "gone").path("status").asText())
                        .isEqualTo("healthy"));
        gone.close(); // connection refused from now on; the next health check is an hour away
        OpenAIClient client = client(pool, "any");

        for (int k = 0; k < 4; k++) {
            assertThat(text(client.chat().completions().create(hello(false)))).isEqualTo("Hello from good");
        }
        assertThat(good.chatRequests.get()).isEqualTo(4);
        assertThat(instanceStatus(pool, "gone").path("failed_requests").asLong())
                .isEqualTo(4);
        assertThat(instanceStatus(pool, "gone").path("last_error").asText()).contains("cannot connect");
        assertThat(instanceStatus(pool, "good").path("failed_requests").asLong())
                .isZero();
    }

    @Test
    void withNoOtherInstanceA5xxIsPassedOnAsItIs() throws Exception {
        TestUpstream failing = upstream("failing");
        failing.mode = TestUpstream.Mode.FAILING;
        RoutingPool pool = start(List.of(account(failing, "")), "\"allowed_fails\": 100");

        HttpResponse<String> r = post(pool, "/v1/chat/completions", "{\"model\": \"m\", \"messages\": []}");

        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("failing is broken");
        assertThat(instanceStatus(pool, "failing").path("failed_requests").asLong())
                .isEqualTo(1);
        assertThat(instanceStatus(pool, "failing").path("total_requests").asLong())
                .isEqualTo(1);
    }

    @Test
    void a5xxIsRetriedOnTheOtherInstanceAndTheCallerSeesSuccess() throws Exception {
        TestUpstream failing = upstream("failing");
        failing.mode = TestUpstream.Mode.FAILING;
        TestUpstream good = upstream("good");
        RoutingPool pool = start(
                List.of(account(failing, ""), account(good, "")),
                "\"strategy\": \"roundrobin\", \"allowed_fails\": 100");
        List<String> attempts = new java.util.concurrent.CopyOnWriteArrayList<>();
        pool.observe((instance, success, nanos) -> attempts.add(instance + (success ? " ok" : " failed")));
        OpenAIClient client = client(pool, "any");

        for (int k = 0; k < 4; k++) {
            assertThat(text(client.chat().completions().create(hello(false)))).isEqualTo("Hello from good");
        }
        // Every attempt is observed with its outcome (what the app's per-instance metrics count).
        assertThat(attempts)
                .containsExactly(
                        "failing failed",
                        "good ok",
                        "failing failed",
                        "good ok",
                        "failing failed",
                        "good ok",
                        "failing failed",
                        "good ok");
        // Round robin's turn moves on with the retry too, so every request starts on "failing".
        assertThat(failing.chatRequests.get()).isEqualTo(4);
        assertThat(good.chatRequests.get()).isEqualTo(4);
        assertThat(instanceStatus(pool, "failing").path("failed_requests").asLong())
                .isEqualTo(4);
        assertThat(instanceStatus(pool, "good").path("total_requests").asLong()).isEqualTo(4);
    }

    @Test
    void consecutiveFailuresCoolAnInstanceDownUntilCooldownTimeHasPassed() throws Exception {
        TestUpstream failing = upstream("failing");
        failing.mode = TestUpstream.Mode.FAILING;
        TestUpstream good = upstream("good");
        RoutingPool pool = start(
                List.of(account(failing, ""), account(good, "")),
                "\"strategy\": \"roundrobin\", \"allowed_fails\": 2, \"cooldown_time\": 1.5");
        OpenAIClient client = client(pool, "any");

        for (int k = 0; k < 10; k++) {
            assertThat(text(client.chat().completions().create(hello(false)))).isEqualTo("Hello from good");
        }
        // Two failures in a row, then the instance is skipped: it never sees the other 8 requests.
        assertThat(failing.chatRequests.get()).isEqualTo(2);
        JsonNode s = instanceStatus(pool, "failing");
        assertThat(s.path("status").asText()).isEqualTo("cooldown");
        assertThat(s.path("cooldown_until").asDouble()).isGreaterThan(System.currentTimeMillis() / 1000.0);

        failing.mode = TestUpstream.Mode.NORMAL;
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(
                                instanceStatus(pool, "failing").path("status").asText())
                        .isEqualTo("healthy"));
        List<String> after = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            after.add(text(client.chat().completions().create(hello(false))));
        }
        assertThat(after).contains("Hello from failing");
    }

    @Test
    void whenEveryInstanceIsAtMaxConcurrentTheCallerGets429WithRetryAfter() throws Exception {
        TestUpstream slow = upstream("slow");
        slow.delayMillis = 1500;
        RoutingPool pool = start(List.of(account(slow, "\"max_concurrent\": 1")), "");
        OpenAIClient client = client(pool, "any");

        CompletableFuture<ChatCompletion> first =
                CompletableFuture.supplyAsync(() -> client.chat().completions().create(hello(false)));
        await().atMost(Duration.ofSeconds(5)).until(() -> slow.inFlight.get() == 1);

        HttpResponse<String> raw = post(
                pool,
                "/v1/chat/completions",
                "{\"model\": \"gemini-1.5-pro\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}");
        assertThat(raw.statusCode()).isEqualTo(429);
        assertThat(raw.headers().firstValue("Retry-After")).hasValue("1");
        JsonNode error = JSON.readTree(raw.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.path("message").asText()).contains("max_concurrent");
        assertThatThrownBy(() -> client.chat().completions().create(hello(false)))
                .isInstanceOf(RateLimitException.class);

        assertThat(text(first.get())).isEqualTo("Hello from slow");
        assertThat(slow.maxInFlight.get()).isEqualTo(1);
        assertThat(text(client.chat().completions().create(hello(false)))).isEqualTo("Hello from slow");
    }

    @Test
    void withAWaitQueueAFullPoolMakesCallersWaitInsteadOf429() throws Exception {
        TestUpstream slow = upstream("slow");
        slow.delayMillis = 300;
        RoutingPool pool =
                start(List.of(account(slow, "\"max_concurrent\": 1")), "\"queue_size\": 4, \"queue_timeout\": 10");
        OpenAIClient client = client(pool, "any");

        List<CompletableFuture<ChatCompletion>> calls = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            calls.add(CompletableFuture.supplyAsync(
                    () -> client.chat().completions().create(hello(false))));
        }
        for (CompletableFuture<ChatCompletion> c : calls) {
            assertThat(text(c.get())).isEqualTo("Hello from slow");
        }
        assertThat(slow.maxInFlight.get()).isEqualTo(1);
        assertThat(slow.chatRequests.get()).isEqualTo(4);
    }

    @Test
    void anUpstreamDyingMidStreamCutsTheCallersStreamAndCountsAFailure() throws Exception {
        TestUpstream dying = upstream("dying");
        dying.mode = TestUpstream.Mode.DIE_MID_STREAM;
        RoutingPool pool = start(List.of(account(dying, "")), "\"allowed_fails\": 100");
        OpenAIClient client = client(pool, "any");

        List<String> got = new ArrayList<>();
        assertThatThrownBy(() -> {
                    try (StreamResponse<ChatCompletionChunk> stream =
                            client.chat().completions().createStreaming(hello(true))) {
                        stream.stream()
                                .forEach(c -> c.choices()
                                        .forEach(ch -> ch.delta().content().ifPresent(got::add)));
                    }
                })
                .isInstanceOf(Exception.class);
        assertThat(got).containsExactly("Once", " upon"); // what was sent before the upstream died
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(instanceStatus(pool, "dying")
                                .path("failed_requests")
                                .asLong())
                        .isEqualTo(1));
        assertThat(instanceStatus(pool, "dying").path("current_concurrent").asInt())
                .isZero();
    }

    @Test
    void keysFromTheKeyFileAreRequiredAndWrongOnesGet401InOpenAiFormat() throws Exception {
        TestUpstream a = upstream("a");
        Files.createDirectories(dir.resolve("auth_profiles"));
        Files.writeString(dir.resolve("auth_profiles/key.txt"), "sk-router-key-001\n# comment\n\nsk-router-key-002\n");
        RoutingPool pool = start(List.of(account(a, "")), "");

        assertThat(text(client(pool, "sk-router-key-002").chat().completions().create(hello(false))))
                .isEqualTo("Hello from a");
        assertThatThrownBy(() -> client(pool, "sk-wrong").chat().completions().create(hello(false)))
                .isInstanceOf(UnauthorizedException.class);
        HttpResponse<String> none = post(pool, "/v1/chat/completions", "{}");
        assertThat(none.statusCode()).isEqualTo(401);
        JsonNode error = JSON.readTree(none.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).isEqualTo("invalid_api_key");
        assertThat(get(pool, "/router/status").statusCode()).isEqualTo(401);
        assertThat(get(pool, "/health").statusCode()).isEqualTo(200);
        // The pool's key is not handed on to the upstream.
        assertThat(a.chatHeaders.getFirst()).doesNotContainKey("authorization");
        assertThat(a.chatRequests.get()).isEqualTo(1);
    }

    @Test
    void modelsAreTheUnionOfTheUpstreamsModels() throws Exception {
        TestUpstream a = upstream("a");
        TestUpstream b = upstream("b");
        RoutingPool pool = start(List.of(account(a, ""), account(b, "")), "");

        List<String> ids = client(pool, "any").models().list().data().stream()
                .map(Model::id)
                .collect(Collectors.toList());

        assertThat(ids).containsExactlyInAnyOrder("gemini-1.5-pro", "a-model", "b-model");
    }

    @Test
    void disabledInstancesGetNoRequestsAndAreEnabledAgainThroughRest() throws Exception {
        TestUpstream a = upstream("a");
        TestUpstream b = upstream("b");
        RoutingPool pool = start(List.of(account(a, ""), account(b, "")), "");
        OpenAIClient client = client(pool, "any");

        HttpResponse<String> disabled = post(pool, "/router/instances/a/disable", "");
        assertThat(disabled.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(disabled.body()).path("enabled").asBoolean()).isFalse();
        for (int k = 0; k < 4; k++) {
            assertThat(text(client.chat().completions().create(hello(false)))).isEqualTo("Hello from b");
        }
        assertThat(a.chatRequests.get()).isZero();
        assertThat(post(pool, "/router/instances/nope/disable", "").statusCode())
                .isEqualTo(404);

        assertThat(post(pool, "/router/instances/a/enable", "").statusCode()).isEqualTo(200);
        for (int k = 0; k < 4; k++) {
            client.chat().completions().create(hello(false));
        }
        assertThat(a.chatRequests.get()).isEqualTo(2);
    }

    @Test
    void theConfigFileIsReloadedWhenItChanges() throws Exception {
        TestUpstream a = upstream("a");
        TestUpstream b = upstream("b");
        RoutingPool pool = start(List.of(account(a, "")), "\"strategy\": \"roundrobin\"");
        OpenAIClient client = client(pool, "any");
        assertThat(text(client.chat().completions().create(hello(false)))).isEqualTo("Hello from a");

        Thread.sleep(1100); // a modification time the reload can tell from the first one
        writeConfig(List.of(account(a, "\"enabled\": false"), account(b, "")), "\"strategy\": \"least_busy\"");

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(
                                JSON.readTree(get(pool, "/router/status").body())
                                        .path("strategy")
                                        .asText())
                        .isEqualTo("least_busy"));
        for (int k = 0; k < 3; k++) {
            assertThat(text(client.chat().completions().create(hello(false)))).isEqualTo("Hello from b");
        }
        assertThat(instanceStatus(pool, "a").path("total_requests").asLong()).isEqualTo(1); // state kept
    }

    @Test
    void healthChecksTakeADeadInstanceOutOfRotation() throws Exception {
        TestUpstream a = upstream("a");
        TestUpstream b = upstream("b");
        RoutingPool pool = start(
                List.of(account(a, ""), account(b, "")), "\"health_check_interval\": 1, \"health_check_timeout\": 1");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(
                                instanceStatus(pool, "a").path("status").asText())
                        .isEqualTo("healthy"));
        assertThat(instanceStatus(pool, "a").path("last_heartbeat").asDouble()).isPositive();
        assertThat(get(pool, "/router/status").body())
                .containsPattern("\"last_heartbeat\":1\\d{9}\\.\\d{1,3}[,}]"); // the seed's 1703123456.789

        a.close();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(
                                instanceStatus(pool, "a").path("status").asText())
                        .isEqualTo("unhealthy"));
        OpenAIClient client = client(pool, "any");
        for (int k = 0; k < 4; k++) {
            assertThat(text(client.chat().completions().create(hello(false)))).isEqualTo("Hello from b");
        }
        assertThat(instanceStatus(pool, "a").path("failed_requests").asLong()).isZero();
    }

    @Test
    void theSeedsCurlExamplesWork() throws Exception {
        TestUpstream a = upstream("a");
        RoutingPool pool = start(List.of(account(a, "")), "");

        assertThat(get(pool, "/health").statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(get(pool, "/v1/models").body()).path("data").size())
                .isEqualTo(2);
        HttpResponse<String> chat = post(pool, "/v1/chat/completions", """
                {
                    "model": "gemini-1.5-pro",
                    "messages": [{"role": "user", "content": "Hello"}]
                  }""");
        assertThat(chat.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(chat.body())
                        .path("choices")
                        .get(0)
                        .path("message")
                        .path("content")
                        .asText())
                .isEqualTo("Hello from a");
        HttpResponse<String> stream = post(pool, "/v1/chat/completions", """
                {
                    "model": "gemini-1.5-pro",
                    "messages": [{"role": "user", "content": "讲个故事"}],
                    "stream": true
                  }""");
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        assertThat(stream.body()).startsWith("data: {").endsWith("data: [DONE]\n\n");
        JsonNode status = JSON.readTree(get(pool, "/router/status").body());
        assertThat(status.path("instances").get(0).path("total_requests").asLong())
                .isEqualTo(2);
    }

    @Test
    void pipelinedRequestsOnOneConnectionAreAnsweredInOrder() throws Exception {
        TestUpstream a = upstream("a");
        a.delayMillis = 100;
        RoutingPool pool = start(List.of(account(a, "")), "");
        String body = "{\"model\": \"m\", \"messages\": []}";
        String one =
                "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length() + "\r\n\r\n" + body;
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", pool.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write((one + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n" + one).getBytes());
            s.getOutputStream().flush();
            java.io.InputStream in = s.getInputStream();
            StringBuilder got = new StringBuilder();
            byte[] buf = new byte[8192];
            // Until both completions and the health answer are in (a response may come in several reads).
            while (got.toString().split("Hello from a", -1).length - 1 < 2
                    || !got.toString().contains("available_instances")) {
                int n = in.read(buf);
                assertThat(n).isPositive();
                got.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8));
            }
            String all = got.toString();
            int first = all.indexOf("Hello from a");
            int health = all.indexOf("available_instances");
            int second = all.lastIndexOf("Hello from a");
            assertThat(first).isPositive().isLessThan(health);
            assertThat(health).isLessThan(second);
        }
    }
}
