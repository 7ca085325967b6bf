package io.groupai.fleet.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The packaged app jar as a user runs it: {@code java -jar app.jar} in an empty directory with a
 * clean environment (no repository around it, no GROUPAI_* settings). The demo must come up on
 * its own — three nodes bootstrapped from the distribution inside the jar, heartbeating — and
 * {@code auto} must place the eight demo accounts; SIGTERM then stops it.
 */
class PackagedAppFromEmptyDirectoryIT {

    @TempDir
    Path cwd;

    @Test
    void theJarStartedInAnEmptyDirectoryBringsTheDemoUp() throws Exception {
        Path jar = appJar();
        int port = freePort();
        int temporalPort = freePort();
        // Outside the working directory, which is to stay the app's own; kept for a look after a failure.
        Path log = Files.createDirectories(Path.of("target", "it-logs"))
                .toAbsolutePath()
                .resolve("app-from-empty-directory.log");
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        // the app's own temporary files stay beside it (other runs share this machine's /tmp)
                        "-Djava.io.tmpdir=" + Files.createDirectories(cwd.resolve("tmp")),
                        "-jar",
                        jar.toString())
                .directory(cwd.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("GROUPAI_DEMO", "true");
        env.put("PORT", Integer.toString(port));
        env.put("GROUPAI_TEMPORAL_PORT", Integer.toString(temporalPort));
        env.put("GROUPAI_GATE_PORT", "0");
        Process app = builder.start();
        try {
            // No GROUPAI_ADMIN_PASSWORD: the first start prints a generated one, once; an operator reads it there.
            String[] admin = new String[2];
            await(app, log, "the generated admin password in the log", Duration.ofMinutes(2), () -> {
                String[] found = generatedAdmin(log);
                admin[0] = found == null ? null : found[0];
                admin[1] = found == null ? null : found[1];
                return found != null;
            });
            assertThat(Files.readString(log)).as("printed once").containsOnlyOnce(admin[1]);
            assertThat(Api.anonymous(port).get("/api/v1/group-ai/servers").status())
                    .as("nothing but health without a token")
                    .isEqualTo(401);
            Api api = Api.signedIn(port, admin[0], admin[1]);
            await(app, log, "the three demo nodes online (healthy, heartbeating)", Duration.ofMinutes(4), () -> {
                JsonNode page = get(api, "/api/v1/group-ai/servers");
                JsonNode servers = page == null ? null : page.get("items");
                if (servers == null || servers.size() != 3) {
                    return false;
                }
                for (JsonNode server : servers) {
                    if (!"healthy".equals(server.get("health").asString())
                            || server.get("last_heartbeat").isNull()) {
                        return false;
                    }
                }
                return true;
            });

            JsonNode auto = api.post(
                            "/api/v1/group-ai/account-allocation/auto?wait_seconds=120", "{\"strategy\": \"balanced\"}")
                    .json();
            assertThat(auto.get("planned").asInt()).as(auto.toString()).isEqualTo(8);
            assertThat(auto.get("result").get("placed").asInt())
                    .as(auto.toString())
                    .isEqualTo(8);
            await(app, log, "the 8 demo accounts online", Duration.ofMinutes(1), () -> {
                JsonNode online = get(api, "/api/v1/group-ai/accounts?status=online");
                return online != null && online.get("total").asInt() == 8;
            });
            assertThat(cwd.resolve("data/fleet.mv.db"))
                    .as("the embedded database lives in the working directory")
                    .isRegularFile();
        } finally {
            app.destroy(); // SIGTERM, as an operator's Ctrl-C or a service manager would
            boolean exited = app.waitFor(90, TimeUnit.SECONDS);
            if (!exited) {
                app.destroyForcibly();
            }
            List<Long> leftover = stopLeftoverAgents();
            assertThat(exited)
                    .as("the app exits within 90 s of SIGTERM; log: " + log)
                    .isTrue();
            assertThat(leftover)
                    .as("demo agents still running after the app stopped")
                    .isEmpty();
        }
    }

    /** Username and password of the GENERATED ADMIN PASSWORD block (plain or JSON log), once the log has it. */
    private static String[] generatedAdmin(Path log) {
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                            // A terminal gets plain text; anything else (this test) JSON lines, where the block's line
                            // breaks are escaped as \n inside the message.
                            "GENERATED ADMIN PASSWORD.*?(?:\\n|\\\\n)\\s*username: ([^\\s\\\\\"]+)(?:\\n|\\\\n)\\s*"
                                    + "password: ([^\\s\\\\\"]+)",
                            java.util.regex.Pattern.DOTALL)
                    .matcher(Files.readString(log));
            return m.find() ? new String[] {m.group(1), m.group(2)} : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The repackaged Spring Boot jar in target/ (failsafe runs in the app module after package). */
    private static Path appJar() throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of("target"), "app-*.jar")) {
            for (Path jar : jars) {
                return jar.toAbsolutePath();
            }
        }
        throw new AssertionError("no target/app-*.jar: run ./mvnw verify (package comes before integration-test)");
    }

    /** Agents the demo started and did not stop (by their pid files): stopped here, and reported. */
    private List<Long> stopLeftoverAgents() throws IOException {
        List<Long> leftover = new ArrayList<>();
        Path nodes = cwd.resolve("data/demo-nodes");
        if (!Files.isDirectory(nodes)) {
            return leftover;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(nodes)) {
            for (Path node : dirs) {
                Path pidFile = node.resolve("deploy/run/worker-node.pid");
                if (Files.isRegularFile(pidFile)) {
                    long pid = Long.parseLong(Files.readString(pidFile).strip());
                    ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(p -> {
                        leftover.add(pid);
                        p.destroy();
                    });
                }
            }
        }
        return leftover;
    }

    private static JsonNode get(Api api, String path) {
        try {
            Api.Response r = api.get(path);
            return r.status() == 200 ? r.json() : null;
        } catch (RuntimeException notUpYet) {
            return null;
        }
    }

    private static void await(Process app, Path log, String what, Duration timeout, BooleanSupplier condition)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!app.isAlive()) {
                throw new AssertionError(
                        "the app exited (" + app.exitValue() + ") while waiting for " + what + "; log: " + log);
            }
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what + "; log: " + log);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
