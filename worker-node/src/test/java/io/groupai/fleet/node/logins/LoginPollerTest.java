package io.groupai.fleet.node.logins;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.groupai.fleet.node.ControlPlaneHttp;
import io.groupai.fleet.node.telegram.SimulatedTelegramRuntime;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The poller against an in-test control plane speaking the login protocol, driving the SIMULATED
 * runtime's login (any phone, code 12345, password "secret") to authorized.
 */
class LoginPollerTest {

    private static final String TOKEN = "login-test-node-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer server;
    private final BlockingQueue<String> deliveries = new LinkedBlockingQueue<>();
    private final BlockingQueue<JsonNode> reports = new LinkedBlockingQueue<>();
    private final List<String> reportPaths = new CopyOnWriteArrayList<>();
    private final List<String> unauthorized = new CopyOnWriteArrayList<>();
    private final List<String> started = new CopyOnWriteArrayList<>();
    private LoginPoller poller;
    private volatile RuntimeException startFailure;

    @BeforeEach
    void setUp() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
        ControlPlaneHttp http = new ControlPlaneHttp(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()), TOKEN);
        SimulatedTelegramRuntime runtime = new SimulatedTelegramRuntime(http, "node-x", Duration.ofSeconds(1));
        poller = new LoginPoller(
                http,
                "node-x",
                runtime,
                id -> {
                    if (startFailure != null) {
                        throw startFailure;
                    }
                    started.add(id);
                },
                Duration.ofMillis(300));
        poller.start();
    }

    @AfterEach
    void tearDown() {
        poller.close();
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                unauthorized.add(exchange.getRequestURI().getPath());
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (exchange.getRequestMethod().equals("GET") && path.equals("/api/v1/workers/node-x/logins")) {
                assertThat(exchange.getRequestURI().getQuery()).isEqualTo("timeout_ms=300");
                ArrayNode out = JSON.createArrayNode();
                String first = deliveries.poll(300, TimeUnit.MILLISECONDS);
                if (first != null) {
                    out.add(JSON.readTree(first));
                }
                byte[] body = JSON.writeValueAsBytes(out);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(body);
                }
                return;
            }
            if (exchange.getRequestMethod().equals("POST") && path.startsWith("/api/v1/workers/node-x/logins/")) {
                reportPaths.add(path);
                reports.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
                exchange.sendResponseHeaders(204, -1);
                return;
            }
            exchange.sendResponseHeaders(404, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private JsonNode deliver(String accountId, String step, String value) throws Exception {
        deliveries.add(JSON.writeValueAsString(JSON.createObjectNode()
                .put("account_id", accountId)
                .put("step", step)
                .put("value", value)));
        JsonNode report = reports.poll(5, TimeUnit.SECONDS);
        assertThat(report).as("a state report after the " + step).isNotNull();
        assertThat(report.toString()).doesNotContain(value);
        return report;
    }

    @Test
    void drivesTheSimulatedLoginToAuthorizedAndReportsEachState() throws Exception {
        JsonNode phone = deliver("acc-7", "phone", "+4915112345678");
        assertThat(phone.get("state").asText()).isEqualTo("waiting_code");
        assertThat(phone.get("detail").asText()).contains("SIMULATED");
        assertThat(reportPaths).containsExactly("/api/v1/workers/node-x/logins/acc-7/state");
        assertThat(started).containsExactly("acc-7");

        JsonNode wrong = deliver("acc-7", "code", "99999");
        assertThat(wrong.get("state").asText()).isEqualTo("waiting_code");
        assertThat(wrong.get("detail").asText()).contains("PHONE_CODE_INVALID");

        assertThat(deliver("acc-7", "code", SimulatedTelegramRuntime.SIMULATED_CODE)
                        .get("state")
                        .asText())
                .isEqualTo("waiting_password");
        JsonNode badPassword = deliver("acc-7", "password", "guess");
        assertThat(badPassword.get("state").asText()).isEqualTo("waiting_password");
        assertThat(deliver("acc-7", "password", SimulatedTelegramRuntime.SIMULATED_PASSWORD)
                        .get("state")
                        .asText())
                .isEqualTo("authorized");
        assertThat(unauthorized).isEmpty();
    }

    @Test
    void anAccountThatCannotStartHereFailsTheLoginWithTheReason() throws Exception {
        startFailure = new IllegalStateException("the node holds no valid lease");
        JsonNode report = deliver("acc-8", "phone", "+4915112345678");
        assertThat(report.get("state").asText()).isEqualTo("failed");
        assertThat(report.get("detail").asText()).contains("no valid lease");
    }

    @Test
    void unknownStepsAreIgnoredAndPollingGoesOn() throws Exception {
        deliveries.add("{\"account_id\": \"acc-9\", \"step\": \"email\", \"value\": \"x@example.org\"}");
        assertThat(reports.poll(1, TimeUnit.SECONDS)).isNull();
        assertThat(deliver("acc-9", "phone", "+4915112345678").get("state").asText())
                .isEqualTo("waiting_code");
    }

    @Test
    void deliveryRecordsNeverPrintTheirValue() {
        assertThat(new LoginPoller.Delivery("a", "password", "s3cr3t").toString())
                .doesNotContain("s3cr3t");
    }
}
