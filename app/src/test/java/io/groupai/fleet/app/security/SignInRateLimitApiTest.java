package io.groupai.fleet.app.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.FleetIntegrationTest;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Failed sign-ins are limited per username (5) and per client address (30), as application.yml sets
 * them; a correct password costs nothing. Each test signs in from an address of its own in 127/8, so
 * neither it nor the other test classes (all on 127.0.0.1) use up each other's address bucket.
 */
@FleetIntegrationTest
class SignInRateLimitApiTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** 127.0.0.100 upward: one fresh client address per use, in this JVM. */
    private static final AtomicInteger NEXT_ADDRESS = new AtomicInteger(100);

    @Autowired
    SignInLimitProperties limits;

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    Api admin;
    String alice;
    String bob;

    @BeforeEach
    void setUp() {
        admin = new Api(port);
        long n = System.nanoTime();
        alice = "rl-alice-" + n;
        bob = "rl-bob-" + n;
        for (String user : List.of(alice, bob)) {
            Api.Response created = admin.post(
                    "/api/v1/auth/users",
                    "{\"username\": \"" + user + "\", \"password\": \"" + password(user) + "\", \"role\": \"viewer\"}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
        }
    }

    private static String password(String user) {
        return user + "-password-0123";
    }

    private static String freshAddress() {
        return "127.0.0." + NEXT_ADDRESS.getAndIncrement();
    }

    private HttpResponse<String> signIn(String from, String username, String password) throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .localAddress(InetAddress.getByName(from))
                .build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/auth/token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode()
                        .put("username", username)
                        .put("password", password)
                        .toString()))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aUsernameIsLimitedAfterItsFailuresFromAnyAddressWhileOtherUsersSignIn() throws Exception {
        assertThat(limits.perUsername().failures()).isEqualTo(5);
        String attacker = freshAddress();
        for (int i = 0; i < 5; i++) {
            assertThat(signIn(attacker, alice, "wrong-password-" + i).statusCode())
                    .isEqualTo(401);
        }
        HttpResponse<String> limited = signIn(attacker, alice, password(alice));
        assertThat(limited.statusCode()).as("even the right password waits").isEqualTo(429);
        assertThat(limited.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        long retryAfter =
                Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, limits.perUsername().period().toSeconds());
        JsonNode problem = JSON.readTree(limited.body());
        assertThat(problem.get("status").asInt()).isEqualTo(429);
        assertThat(problem.get("detail").asString()).contains("too many failed sign-ins", "Retry-After");
        assertThat(limited.body()).doesNotContain(password(alice));

        // The username, from another address too.
        assertThat(signIn(freshAddress(), alice, password(alice)).statusCode()).isEqualTo(429);
        // Another user from the attacker's very address is not penalised.
        assertThat(signIn(attacker, bob, password(bob)).statusCode()).isEqualTo(200);

        List<String> outcomes = jdbc.sql(
                        "SELECT outcome FROM audit_log WHERE actor = ? AND action = 'auth.sign_in' ORDER BY id")
                .param(alice)
                .query(String.class)
                .list();
        assertThat(outcomes)
                .containsExactly("failure", "failure", "failure", "failure", "failure", "limited", "limited");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_log WHERE actor = ? AND remote_addr = ?")
                        .params(alice, attacker)
                        .query(Long.class)
                        .single())
                .isEqualTo(6);
    }

    @Test
    void anAddressIsLimitedAfterItsFailuresWhateverTheUsernamesAndOtherAddressesStillSignIn() throws Exception {
        int failures = limits.perAddress().failures();
        assertThat(failures).isEqualTo(30);
        String attacker = freshAddress();
        int refused = 0;
        int attempts = 0;
        // A different made-up username each time: only the address bucket empties. The bucket gives one failure
        // back every period/30 (10 s), and 30 BCrypt checks on a loaded machine take about that long: a few more
        // attempts may pass before the first 429.
        while (attempts < failures + 5) {
            int status = signIn(attacker, "rl-guess-" + System.nanoTime(), "wrong-password")
                    .statusCode();
            attempts++;
            if (status == 429) {
                break;
            }
            assertThat(status).isEqualTo(401);
            refused++;
        }
        assertThat(refused).isBetween(failures, failures + 4);
        HttpResponse<String> limited = signIn(attacker, bob, password(bob));
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        assertThat(signIn(freshAddress(), bob, password(bob)).statusCode()).isEqualTo(200);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_log WHERE remote_addr = ? AND outcome = 'failure'")
                        .param(attacker)
                        .query(Long.class)
                        .single())
                .isEqualTo(refused);
    }

    @Test
    void successfulSignInsAreNeverCounted() throws Exception {
        String from = freshAddress();
        for (int i = 0; i < 12; i++) {
            assertThat(signIn(from, bob, password(bob)).statusCode())
                    .as("sign-in " + i)
                    .isEqualTo(200);
        }
        // Failures below the limit leave the right password working.
        for (int i = 0; i < 4; i++) {
            assertThat(signIn(from, bob, "wrong-" + i).statusCode()).isEqualTo(401);
        }
        assertThat(signIn(from, bob, password(bob)).statusCode()).isEqualTo(200);
    }
}
