package io.groupai.fleet.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The packaged app ({@code java -jar app/target/app-*.jar}) with the demo on, as an operator runs
 * it, in a fresh directory: the processes it starts never outlive it. A SIGTERM stops the demo's
 * worker-node agents and every child before the app exits; after a SIGKILL, the next start in the
 * same directory stops the agents the killed run left, so none runs twice.
 *
 * <p>Agents are found the way an operator would: every process whose command line names this
 * test's directory (the agents run {@code <dir>/data/demo-nodes/<node>/deploy/lib/worker-node.jar}).
 */
class PackagedAppProcessesIT {

    private static final List<String> DEMO_NODES = List.of("worker-01", "los-angeles", "manila");

    private Path dir;
    /** HTTP, Temporal gRPC and Temporal UI ports: the same for every start in one directory, as a user restarts an app. */
    private int httpPort;

    private int temporalPort;
    private int temporalUiPort;
    private final List<Process> apps = new ArrayList<>();
    private final Map<Process, Integer> ports = new java.util.HashMap<>();

    @BeforeEach
    void freshDirectory() throws IOException {
        dir = Files.createTempDirectory("groupai-packaged-app-").toRealPath();
        httpPort = freePort();
        temporalPort = freePort();
        temporalUiPort = freePort();
    }

    /** Whatever a failed test left behind is killed, so one failure does not leak into the machine. */
    @AfterEach
    void killLeftovers() {
        apps.forEach(Process::destroyForcibly);
        processesNaming(dir).forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void sigtermStopsTheDemoAgentsAndEveryChildBeforeTheAppExits() throws Exception {
        Process app = startApp();
        Set<Long> agents = awaitDemoAgents(app, Set.of());
        Set<ProcessHandle> children = app.descendants().collect(Collectors.toSet());
        System.out.printf(
                "app pid %d: %d demo agents %s, %d descendant processes%n",
                app.pid(), agents.size(), agents, children.size());

        long stopping = System.nanoTime();
        app.destroy(); // SIGTERM
        assertThat(app.waitFor(2, TimeUnit.MINUTES))
                .as("the app exits after SIGTERM")
                .isTrue();
        System.out.printf(
                "app exited %d ms after SIGTERM (status %d)%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping), app.exitValue());

        assertThat(alive(agents)).as("demo agents left running after SIGTERM").isEmpty();
        assertThat(children.stream().filter(ProcessHandle::isAlive).map(this::describe))
                .as("children of the app left running after SIGTERM")
                .isEmpty();
        assertThat(processesNaming(dir).map(this::describe))
                .as("processes naming " + dir)
                .isEmpty();
        String log = Files.readString(dir.resolve("app.log"));
        assertThat(log).doesNotContain("could not stop the worker-node agent", "Database is already closed");
    }

    @Test
    void afterSigkillTheNextStartStopsTheAgentsTheKilledRunLeft() throws Exception {
        Process first = startApp();
        Set<Long> oldAgents = awaitDemoAgents(first, Set.of());
        first.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertThat(first.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(alive(oldAgents))
                .as("a SIGKILL leaves the agents running (the case under test)")
                .containsExactlyInAnyOrderElementsOf(oldAgents);

        Process second = startApp();
        Set<Long> newAgents = awaitDemoAgents(second, oldAgents);
        assertThat(alive(oldAgents)).as("agents of the killed run").isEmpty();
        assertThat(agentProcesses())
                .as("one agent per demo node, none twice")
                .hasSize(DEMO_NODES.size())
                .containsExactlyInAnyOrderElementsOf(newAgents);

        second.destroy();
        assertThat(second.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(processesNaming(dir).map(this::describe))
                .as("processes naming " + dir)
                .isEmpty();
    }

    /**
     * Issue 10's "the control plane stopped for 2 minutes leaves every account running, none twice", shortened:
     * a 10 s lease, and the app suspended (SIGSTOP) for 25 s while its agents run on. They fence (stop their
     * accounts) when the lease runs out and start them again when a heartbeat succeeds: every account runs again
     * on its own node and never on another, no check of a node counts the lease that ran out meanwhile, nothing
     * is marked down, no failover starts. README "Keeping accounts running" has the literal 2-minute run.
     */
    @Test
    void aControlPlaneSuspendedLongerThanTheLeaseGetsEveryAccountBackOnItsOwnNodeNoneTwice() throws Exception {
        Process app = startApp(Map.of("GROUPAI_LEASE_TTL", "10s"));
        awaitDemoAgents(app, Set.of());
        Api api = new Api(ports.get(app));
        JsonNode allocation = api.post(
                        "/api/v1/group-ai/account-allocation/auto?wait=true", "{\"strategy\": \"balanced\"}")
                .json();
        assertThat(allocation.get("planned").asInt()).as(allocation.toString()).isEqualTo(8);
        Map<String, String> placed = new java.util.TreeMap<>();
        api.get("/api/v1/group-ai/accounts?size=100")
                .json()
                .get("items")
                .values()
                .forEach(a -> placed.put(
                        a.get("account_id").asString(), a.get("server_id").asString()));
        assertThat(placed).hasSize(8);
        await(
                "the 8 accounts started",
                app,
                Duration.ofMinutes(2),
                () -> lastStarts(java.time.Instant.EPOCH).keySet().containsAll(placed.keySet()));

        signal(app, "STOP");
        java.time.Instant suspended = java.time.Instant.now();
        Thread.sleep(Duration.ofSeconds(25));
        signal(app, "CONT");
        java.time.Instant resumed = java.time.Instant.now();
        await(
                "every account started again after the resume",
                app,
                Duration.ofMinutes(2),
                () -> lastStarts(resumed).keySet().containsAll(placed.keySet()));
        Duration allBack = Duration.between(
                resumed, java.util.Collections.max(lastStarts(resumed).values()));

        for (String node : DEMO_NODES) {
            String log = Files.readString(agentLog(node));
            for (var account : placed.entrySet()) {
                if (account.getValue().equals(node)) {
                    assertThat(stops(log, account.getKey()))
                            .as("account %s fenced on %s while the control plane was suspended", account.getKey(), node)
                            .anyMatch(t -> t.isAfter(suspended) && t.isBefore(resumed));
                } else {
                    assertThat(log)
                            .as("account %s (placed on %s) never ran on %s", account.getKey(), account.getValue(), node)
                            .doesNotContain("account " + account.getKey() + ": started on");
                }
            }
        }
        JsonNode alerts = api.get("/api/v1/group-ai/supervision/alerts").json();
        assertThat(alerts.get("down").values()).as(alerts.toString()).isEmpty();
        assertThat(alerts.get("recent").values())
                .extracting(e -> e.get("event").asString())
                .as(alerts.toString())
                .doesNotContain("check_failed", "marked_down", "failover_started");
        for (String node : DEMO_NODES) {
            assertThat(api.get("/api/v1/group-ai/workflows/failover-" + node).status())
                    .as("no failover of " + node)
                    .isEqualTo(404);
        }
        System.out.printf(
                "control plane suspended %d s with a 10 s lease: every account back on its own node %.1f s after"
                        + " the resume%n",
                Duration.between(suspended, resumed).toSeconds(), allBack.toMillis() / 1000.0);
    }

    private static void signal(Process app, String signal) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(app.pid()))
                        .inheritIO()
                        .start()
                        .waitFor())
                .as("kill -%s %d", signal, app.pid())
                .isZero();
    }

    private Path agentLog(String node) {
        return dir.resolve("data/demo-nodes/" + node + "/deploy/logs/worker-node.log");
    }

    /** Per account, its latest "started on" line of any agent's log, when after {@code after}. */
    private Map<String, java.time.Instant> lastStarts(java.time.Instant after) {
        Map<String, java.time.Instant> starts = new java.util.HashMap<>();
        for (String node : DEMO_NODES) {
            try {
                for (String line : Files.readAllLines(agentLog(node))) {
                    var m = java.util.regex.Pattern.compile("^(\\S+) .* account (\\S+): started on")
                            .matcher(line);
                    if (m.find()) {
                        java.time.Instant at = java.time.Instant.parse(m.group(1));
                        if (at.isAfter(after)) {
                            starts.merge(m.group(2), at, (a, b) -> a.isAfter(b) ? a : b);
                        }
                    }
                }
            } catch (IOException | RuntimeException notYet) {
                // no log yet
            }
        }
        return starts;
    }

    private static List<java.time.Instant> stops(String log, String account) {
        return log.lines()
                .filter(l -> l.contains("account " + account + ": stopped"))
                .map(l -> java.time.Instant.parse(l.substring(0, l.indexOf(' '))))
                .toList();
    }

    private Process startApp() throws IOException {
        return startApp(Map.of());
    }

    private Process startApp(Map<String, String> settings) throws IOException {
        Path module = Path.of("").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")),
                        "-jar",
                        onlyFile(module.resolve("target"), "app-", ".jar").toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(
                        ProcessBuilder.Redirect.appendTo(dir.resolve("app.log").toFile()));
        Map<String, String> env = pb.environment();
        // This machine's settings (a real Temporal or database, CI's MariaDB) must not reach the app.
        Stream.of(
                        "TEMPORAL_ADDRESS",
                        "DB_URL",
                        "DB_USER",
                        "DB_PASSWORD",
                        "GROUPAI_MASTER_CONFIG",
                        "GROUPAI_PUBLIC_URL",
                        "JAVA_TOOL_OPTIONS")
                .forEach(env::remove);
        env.put("GROUPAI_DEMO", "true");
        int port = httpPort;
        env.put("PORT", Integer.toString(port));
        // With a Temporal CLI (GROUPAI_TEMPORAL_CLI, as CI provides) the app runs the dev server as its
        // child: a restart after SIGKILL must find (and adopt) it on the same port.
        env.put("GROUPAI_TEMPORAL_PORT", Integer.toString(temporalPort));
        env.put("GROUPAI_GATE_PORT", "0");
        env.put("GROUPAI_TEMPORAL_UI_PORT", Integer.toString(temporalUiPort));
        env.put("GROUPAI_DATA_DIR", dir.resolve("data").toString());
        env.put("GROUPAI_NODE_HEARTBEAT_INTERVAL", "2s");
        // The admin Api signs in as (the jar does not see the test classpath's config).
        env.put("GROUPAI_ADMIN_USERNAME", Api.TEST_ADMIN_USERNAME);
        env.put("GROUPAI_ADMIN_PASSWORD", Api.TEST_ADMIN_PASSWORD);
        env.putAll(settings);
        Process app = pb.start();
        apps.add(app);
        ports.put(app, port);
        return app;
    }

    /**
     * Waits until this run's bootstrap of every demo node has completed (agent started, first poll
     * seen) and one agent JVM runs per node, none of them one of {@code old}; their pids.
     */
    private Set<Long> awaitDemoAgents(Process app, Set<Long> old) throws Exception {
        Api api = new Api(ports.get(app));
        await("three demo nodes bootstrapped with new agents", app, Duration.ofMinutes(4), () -> {
            Set<Long> agents = agentProcesses();
            return DEMO_NODES.stream().allMatch(node -> bootstrapped(api, node))
                    && agents.size() == DEMO_NODES.size()
                    && agents.stream().noneMatch(old::contains);
        });
        return agentProcesses();
    }

    private static boolean bootstrapped(Api api, String node) {
        try {
            JsonNode run =
                    api.get("/api/v1/group-ai/workflows/bootstrap-" + node).json();
            return "COMPLETED".equals(run.path("status").asString())
                    && run.path("result").path("success").asBoolean();
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    /**
     * Pids of the live worker-node agents of this test's demo nodes: JVMs running {@code -jar
     * <dir>/.../deploy/lib/worker-node.jar} (not, say, a {@code sha256sum} of that jar during an install).
     */
    private Set<Long> agentProcesses() {
        return processesNaming(dir)
                .filter(p -> {
                    List<String> args = List.of(commandLine(p.pid()).split(" "));
                    int jar = args.indexOf("-jar");
                    return jar >= 0
                            && jar + 1 < args.size()
                            && args.get(jar + 1).startsWith(dir.toString())
                            && args.get(jar + 1).endsWith("/deploy/lib/worker-node.jar");
                })
                .map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    private static Set<Long> alive(Set<Long> pids) {
        return pids.stream()
                .filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .collect(Collectors.toSet());
    }

    /** Every live process on this machine whose command line names {@code path}, except this test's JVM. */
    private static Stream<ProcessHandle> processesNaming(Path path) {
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.pid() != self)
                .filter(p -> commandLine(p.pid()).contains(path.toString()));
    }

    private static String commandLine(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException | UncheckedIOException gone) {
            return "";
        }
    }

    private String describe(ProcessHandle p) {
        return p.pid() + " " + commandLine(p.pid());
    }

    private void await(String what, Process app, Duration timeout, Supplier<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.get()) {
            assertThat(app.isAlive())
                    .as("the app is running (see %s)", dir.resolve("app.log"))
                    .isTrue();
            assertThat(System.nanoTime())
                    .as("waiting for %s (see %s)", what, dir.resolve("app.log"))
                    .isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    private static Path onlyFile(Path directory, String prefix, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> matches = files.filter(f -> {
                        String name = f.getFileName().toString();
                        return name.startsWith(prefix)
                                && name.endsWith(suffix)
                                && !name.endsWith("-tests.jar")
                                && !name.endsWith("-sources.jar");
                    })
                    .toList();
            assertThat(matches)
                    .as("%s*%s in %s (built by `./mvnw package`)", prefix, suffix, directory)
                    .hasSize(1);
            return matches.get(0);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
