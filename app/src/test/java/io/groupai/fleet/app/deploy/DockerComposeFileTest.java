package io.groupai.fleet.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** docker-compose.yml describes the production-like stack and wires the app to it. */
class DockerComposeFileTest {

    private static final Path COMPOSE = Path.of("..", "docker-compose.yml");

    @Test
    @SuppressWarnings("unchecked")
    void stackHasEveryServiceAndTheAppIsPointedAtMysqlAndTemporal() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(COMPOSE));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");

        assertThat(services).containsKeys("mysql", "temporal", "temporal-ui", "app", "worker-node");
        assertThat((String) services.get("mysql").get("image")).startsWith("mysql:8");
        assertThat(((Map<String, Object>) services.get("temporal").get("environment")))
                .containsEntry("DB", "mysql8");
        Map<String, Object> appEnv = (Map<String, Object>) services.get("app").get("environment");
        assertThat(appEnv).containsEntry("TEMPORAL_ADDRESS", "temporal:7233");
        assertThat((String) appEnv.get("DB_URL")).startsWith("jdbc:mysql://mysql:3306/");
        Map<String, Object> nodeEnv =
                (Map<String, Object>) services.get("worker-node").get("environment");
        // The node reaches Temporal only through the app's gate.
        assertThat(nodeEnv).containsEntry("TEMPORAL_ADDRESS", "app:7234").containsKey("NODE_ID");
        assertThat(appEnv).containsEntry("GROUPAI_GATE_ADVERTISED_ADDRESS", "app:7234");
        // Secrets are required from the environment, never written into the file.
        services.values().forEach(service -> {
            Object env = service.get("environment");
            if (env instanceof Map<?, ?> map) {
                map.forEach((key, value) -> {
                    if (String.valueOf(key).matches(".*(PASSWORD|SECRET|TOKEN|PWD).*")) {
                        assertThat(String.valueOf(value))
                                .as(key + " comes from the environment")
                                .startsWith("${");
                    }
                });
            }
        });
        // Every port is published on loopback only.
        services.values().stream()
                .map(s -> (List<String>) s.get("ports"))
                .filter(p -> p != null)
                .flatMap(List::stream)
                .forEach(port -> assertThat(port).startsWith("127.0.0.1:"));
    }

    @Test
    void dockerComposeAcceptsTheFile() throws Exception {
        List<String> command = composeCommand();
        assumeTrue(
                command != null,
                "neither `docker compose` nor `docker-compose` is installed: skipped the compose validation");
        ProcessBuilder builder = new ProcessBuilder(concat(command, "-f", COMPOSE.toString(), "config", "--quiet"))
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        for (String name :
                new String[] {"MYSQL_ROOT_PASSWORD", "GROUPAI_DB_PASSWORD", "GROUPAI_SECRET_KEY", "NODE_TOKEN"}) {
            env.put(name, "validation-only");
        }
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
    }

    /** `docker compose` (plugin) or `docker-compose`, whichever answers; null when neither does. */
    private static List<String> composeCommand() throws IOException, InterruptedException {
        for (List<String> candidate : List.of(List.of("docker", "compose"), List.of("docker-compose"))) {
            if (onPath(candidate.get(0))) {
                Process p = new ProcessBuilder(concat(candidate, "version"))
                        .redirectErrorStream(true)
                        .start();
                if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
            }
        }
        return null;
    }

    private static boolean onPath(String program) {
        return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }

    private static List<String> concat(List<String> head, String... tail) {
        return java.util.stream.Stream.concat(head.stream(), java.util.Arrays.stream(tail))
                .toList();
    }
}
