package io.groupai.fleet.app.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.groupai.fleet.nodes.NodeConfigExtras;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;

/**
 * GROUPAI_TLS_CERT/GROUPAI_TLS_KEY set: the app's port speaks HTTPS only, and bootstrap tells
 * same-machine nodes to trust that certificate. One context of its own (the files must exist
 * before the environment is prepared, so they are made in {@link #certificate()} at fixed paths).
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "GROUPAI_TLS_CERT=${java.io.tmpdir}/groupai-https-test/app.crt",
            "GROUPAI_TLS_KEY=${java.io.tmpdir}/groupai-https-test/app.key",
            "spring.datasource.url=jdbc:h2:mem:https-test;MODE=MySQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
            "groupai.temporal.embedded.server=java-test-server",
            "groupai.temporal.embedded.port=0",
            "groupai.gate.port=0",
            "groupai.demo.enabled=false",
            "groupai.reconcile.scheduled=false",
            "groupai.supervision.enabled=false",
            "groupai.router.enabled=false",
            "GROUPAI_LOG_FORMAT=text",
            // The health body names the component when it is not UP (Boot's ssl indicator among them).
            "management.endpoint.health.show-details=always",
            "management.endpoint.health.show-components=always",
            "groupai.data-dir=${java.io.tmpdir}/groupai-https-test",
            "groupai.sessions.dir=${java.io.tmpdir}/groupai-https-test/sessions",
            "groupai.secrets.key=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        })
class HttpsTest {

    static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"), "groupai-https-test");

    @BeforeAll
    static void certificate() throws Exception {
        Files.createDirectories(DIR);
        Files.deleteIfExists(DIR.resolve("app.crt"));
        Files.deleteIfExists(DIR.resolve("app.key"));
        assumeTrue(
                TestCertificates.selfSigned(DIR.resolve("app.crt"), DIR.resolve("app.key"), "localhost"),
                "openssl is needed to make a test certificate");
    }

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    @Test
    void servesHttpsWithTheConfiguredCertificateAndNothingInClear() throws Exception {
        HttpClient trusting = HttpClient.newBuilder()
                .sslContext(TestCertificates.trusting(DIR.resolve("app.crt")))
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        HttpResponse<String> health = trusting.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/actuator/health"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        // The overall status also counts the worker-node distribution, absent from a build without `package`.
        assertThat(health.statusCode()).as(health.body()).isIn(200, 503);
        assertThat(health.body())
                .contains("\"readinessState\":{\"status\":\"UP\"}")
                .contains("\"subject\":\"CN=localhost\"")
                .contains("\"validity\":{\"status\":\"VALID\"}");

        // A client that trusts only the JVM's CAs refuses the self-signed certificate.
        assertThatThrownBy(() -> HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/actuator/health"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class);

        // Plain HTTP on the same port gets no answer from the app (Tomcat: 400 "requires TLS", or a closed connection).
        int plain;
        try {
            plain = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .statusCode();
        } catch (java.io.IOException e) {
            plain = -1;
        }
        assertThat(plain).isNotEqualTo(200);
    }

    @Test
    void nodesOnThisMachineAreToldToTrustTheCertificate() {
        Map<String, String> keys = context.getBeansOfType(NodeConfigExtras.class).values().stream()
                .flatMap(e -> e.forNode("n1").entrySet().stream())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> b));
        assertThat(keys)
                .containsEntry(
                        "CONTROL_PLANE_TLS_CA",
                        DIR.resolve("app.crt").toAbsolutePath().normalize().toString());
    }
}
