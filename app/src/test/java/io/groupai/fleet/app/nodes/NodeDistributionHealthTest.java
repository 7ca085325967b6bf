package io.groupai.fleet.app.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.nodes.NodeDistribution;
import io.groupai.fleet.nodes.NodeDistributionProperties;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** The app says which distribution it installs on servers, and is not healthy without one. */
@FleetIntegrationTest
class NodeDistributionHealthTest {

    @LocalServerPort
    int port;

    @TempDir
    Path empty;

    @Test
    void healthNamesTheEmbeddedDistribution() {
        JsonNode component =
                new Api(port).get("/actuator/health").json().get("components").get("workerNodeDistribution");
        assertThat(component.get("status").asString()).as(component.toString()).isEqualTo("UP");
        assertThat(component.get("details").get("java_runtime").asString()).isNotBlank();
        assertThat(component.get("details").get("platform").asString()).isEqualTo("Linux x86_64, glibc 2.17+");
    }

    @Test
    void withoutADistributionTheAppIsDownAndSaysHowToGetOne() {
        NodeDistribution missing = new NodeDistribution(new NodeDistributionProperties(
                empty.toString(),
                true,
                null,
                null,
                "simulated",
                Duration.ofSeconds(30),
                false,
                Duration.ofHours(1),
                "auto"));

        Health health = new NodeDistributionHealthIndicator(missing).health();

        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails().get("error").toString())
                .contains(empty.toString(), "is incomplete", "worker-node/target/dist", "./mvnw -DskipTests package");
    }
}
