package io.groupai.fleet.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A managed instance (one with a launch_command) is started by the pool and, with auto_restart,
 * started again after its process dies. The instance is a real process: a single-file Java HTTP
 * server run by this JDK's java launcher.
 */
class ManagedInstanceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aDeadManagedInstanceIsRestarted() throws Exception {
        Path server = dir.resolve("TinyUpstream.java");
        Files.writeString(server, """
                import com.sun.net.httpserver.HttpServer;
                import java.net.InetSocketAddress;
                public class TinyUpstream {
                    public static void main(String[] a) throws Exception {
                        int port = Integer.parseInt(System.getenv("ROUTER_INSTANCE_PORT"));
                        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
                        s.createContext("/", x -> {
                            byte[] b = "{\\"status\\":\\"ok\\"}".getBytes();
                            x.sendResponseHeaders(200, b.length);
                            x.getResponseBody().write(b);
                            x.close();
                        });
                        s.start();
                    }
                }
                """);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        Path config = dir.resolve("multi_account_config.json");
        Files.writeString(
                config,
                "{\"accounts\": [{\"id\": \"managed\", \"port\": " + port + ", \"launch_command\": [\""
                        + java + "\", \"" + server + "\"]}],"
                        + " \"router\": {\"host\": \"127.0.0.1\", \"port\": 0, \"health_check_interval\": 1,"
                        + " \"health_check_timeout\": 1, \"auto_restart\": true}}");

        try (RoutingPool pool = RoutingPool.start(RoutingPool.Options.of(config))) {
            AtomicLong firstPid = new AtomicLong();
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> {
                        JsonNode s = status(pool);
                        assertThat(s.path("status").asText()).isEqualTo("healthy");
                        assertThat(s.path("managed").asBoolean()).isTrue();
                        firstPid.set(s.path("pid").asLong());
                    });
            assertThat(firstPid.get()).isPositive();

            ProcessHandle.of(firstPid.get()).orElseThrow().destroyForcibly();

            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> {
                        JsonNode s = status(pool);
                        assertThat(s.path("restarts").asInt()).isEqualTo(1);
                        assertThat(s.path("pid").asLong())
                                .isNotEqualTo(firstPid.get())
                                .isPositive();
                        assertThat(s.path("status").asText()).isEqualTo("healthy");
                    });
            assertThat(Files.readString(dir.resolve("logs/instance-managed.log")))
                    .isNotNull();
        }
    }

    private static JsonNode status(RoutingPool pool) throws Exception {
        return JSON.readTree(JSON.writeValueAsString(pool.status()))
                .path("instances")
                .get(0);
    }
}
