package io.groupai.fleet.app.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.FleetIntegrationTest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The routing pool the app starts on its own port once its config file appears,
 * proxies to a real loopback upstream, and accepts the API keys created through the app's REST API
 * (kept in the database), and only those, once one exists.
 */
@FleetIntegrationTest
class RoutingPoolInAppTest {

    @LocalServerPort
    int appPort;

    @Autowired
    EmbeddedRoutingPool embedded;

    @Value("${groupai.router.config}")
    Path config;

    private HttpServer upstream;

    @BeforeEach
    void upstream() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        upstream.createContext("/", x -> {
            byte[] body = (x.getRequestURI().getPath().equals("/v1/chat/completions")
                            ? "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
                                    + "\"message\":{\"role\":\"assistant\",\"content\":\"Hello from upstream\"},"
                                    + "\"finish_reason\":\"stop\"}]}"
                            : "{\"status\":\"ok\"}")
                    .getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", "application/json");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        upstream.start();
    }

    @AfterEach
    void stop() throws Exception {
        upstream.stop(0);
        Files.deleteIfExists(config);
    }

    @Test
    void thePoolInTheAppRoutesToTheConfiguredUpstreamAndChecksKeysFromTheDatabase() throws Exception {
        Files.createDirectories(config.getParent());
        Files.writeString(
                config,
                "{\"accounts\": [{\"id\": \"account_a\", \"port\": "
                        + upstream.getAddress().getPort()
                        + ", \"weight\": 1, \"enabled\": true, \"max_concurrent\": 3}],"
                        + " \"router\": {\"port\": 8080, \"host\": \"0.0.0.0\", \"strategy\": \"roundrobin\"}}");
        // No config when the app started: the pool starts (its own port) once the file appears; a pool
        // another test of this class started reloads the changed file (it must not route to that test's upstream).
        await().atMost(Duration.ofSeconds(20)).until(() -> embedded.pool() != null);
        Api operator = new Api(appPort);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            var instances =
                    operator.get("/api/v1/group-ai/router/status").json().path("instances");
            return instances.size() == 1
                    && instances.get(0).path("id").asString().equals("account_a")
                    && instances.get(0).path("port").asInt()
                            == upstream.getAddress().getPort();
        });
        assertThat(embedded.pool().port()).isPositive().isNotEqualTo(appPort);
        Api pool = Api.anonymous(embedded.pool().port());
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(pool.get("/health").status()).isEqualTo(200));

        String chat = "{\"model\": \"gemini-1.5-pro\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}";
        assertThat(pool.post("/v1/chat/completions", chat).status()).isEqualTo(200); // no key anywhere yet

        Api app = new Api(appPort);
        Api.Response created = app.post("/api/v1/group-ai/router/keys", "{\"name\": \"dialogue engine\"}");
        assertThat(created.status()).isEqualTo(201);
        String key = created.json().path("key").asString();
        long id = created.json().path("id").asLong();
        assertThat(key).startsWith("sk-pool-");

        Api.Response noKey = pool.post("/v1/chat/completions", chat);
        assertThat(noKey.status()).isEqualTo(401);
        assertThat(noKey.json().path("error").path("code").asString()).isEqualTo("invalid_api_key");
        Api.Response withKey = pool.post("/v1/chat/completions", chat, "Authorization", "Bearer " + key);
        assertThat(withKey.status()).isEqualTo(200);
        assertThat(withKey.body()).contains("Hello from upstream");
        // Per-instance metrics: the successful attempts are counted on account_a.
        String prometheus = app.get("/actuator/prometheus").body();
        assertThat(prometheus)
                .containsPattern(
                        "groupai_router_requests_seconds_count\\{application=\"group-ai-fleet\",instance=\"account_a\","
                                + "outcome=\"success\"} [2-9]")
                .contains("groupai_router_in_flight{application=\"group-ai-fleet\",instance=\"account_a\"} 0.0")
                .contains("groupai_router_instance_up{application=\"group-ai-fleet\",instance=\"account_a\"} 1.0");

        Api.Response listed = app.get("/api/v1/group-ai/router/keys");
        assertThat(listed.body()).contains("dialogue engine").doesNotContain(key);
        assertThat(app.post("/api/v1/group-ai/router/keys", "{}").status()).isEqualTo(400);

        assertThat(app.delete("/api/v1/group-ai/router/keys/" + id).status()).isEqualTo(204);
        assertThat(app.delete("/api/v1/group-ai/router/keys/" + id).status()).isEqualTo(404);
        assertThat(pool.post("/v1/chat/completions", chat, "Authorization", "Bearer " + key)
                        .status())
                .isEqualTo(200); // no key left: open again, as with an empty key file
    }

    @Test
    void theOperatorApiShowsThePoolsStatusAndOperatorsEnableAndDisableInstances() throws Exception {
        Api app = new Api(appPort);
        Files.createDirectories(config.getParent());
        Files.writeString(
                config,
                "{\"accounts\": [{\"id\": \"account_status\", \"port\": "
                        + upstream.getAddress().getPort()
                        + ", \"weight\": 3, \"enabled\": true, \"max_concurrent\": 4}],"
                        + " \"router\": {\"port\": 8080, \"strategy\": \"least_busy\"}}");
        // A pool started by another test reloads the changed file; one not started yet starts with it.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> app.get("/api/v1/group-ai/router/status").body().contains("account_status"));
        Api.Response status = app.get("/api/v1/group-ai/router/status");
        assertThat(status.status()).isEqualTo(200);
        assertThat(status.json().get("running").asBoolean()).isTrue();
        assertThat(status.json().get("port").asInt()).isEqualTo(embedded.pool().port());
        assertThat(status.json().get("strategy").asString()).isEqualTo("least_busy");
        var instance = status.json().get("instances").get(0);
        assertThat(instance.get("id").asString()).isEqualTo("account_status");
        assertThat(instance.get("port").asInt()).isEqualTo(upstream.getAddress().getPort());
        assertThat(instance.get("weight").asInt()).isEqualTo(3);
        assertThat(instance.get("max_concurrent").asInt()).isEqualTo(4);
        assertThat(instance.get("enabled").asBoolean()).isTrue();

        Api.Response disabled = app.post("/api/v1/group-ai/router/instances/account_status/disable", "");
        assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);
        assertThat(disabled.json().get("enabled").asBoolean()).isFalse();
        assertThat(app.get("/api/v1/group-ai/router/status")
                        .json()
                        .get("instances")
                        .get(0)
                        .get("enabled")
                        .asBoolean())
                .isFalse();
        assertThat(app.post("/api/v1/group-ai/router/instances/account_status/enable", "")
                        .json()
                        .get("enabled")
                        .asBoolean())
                .isTrue();
        Api.Response unknown = app.post("/api/v1/group-ai/router/instances/nobody/disable", "");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(unknown.body()).contains("nobody");
        assertThat(app.post("/api/v1/group-ai/router/instances/account_status/restart", "")
                        .status())
                .isEqualTo(404);

        // A viewer reads the status but may not switch instances.
        String viewerName = "router-viewer-" + System.nanoTime();
        assertThat(app.post(
                                "/api/v1/auth/users",
                                "{\"username\": \"" + viewerName
                                        + "\", \"password\": \"viewer-password-123\", \"role\": \"viewer\"}")
                        .status())
                .isEqualTo(201);
        Api viewer = Api.as(appPort, Api.token(appPort, viewerName, "viewer-password-123"));
        assertThat(viewer.get("/api/v1/group-ai/router/status").status()).isEqualTo(200);
        assertThat(viewer.post("/api/v1/group-ai/router/instances/account_status/disable", "")
                        .status())
                .isEqualTo(403);
        assertThat(embedded.pool().pool().find("account_status").orElseThrow().enabled())
                .isTrue();
        assertThat(app.delete("/api/v1/auth/users/" + viewerName).status()).isIn(200, 204);
    }
}
