package io.groupai.fleet.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.chaos.FailoverTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The demo's three real worker-node agents (separate JVMs bootstrapped over SSH), with short
 * intervals: heartbeat 2 s, lease 20 s, health checks every 2 s. First an agent is killed and
 * started again at once: the new agent brings back the accounts the database assigns to its node
 * (nothing moves). Then another agent is killed for good: its supervisor marks the node down,
 * says why over the API, and failover moves its accounts to the other two, where they run.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.datasource.url=jdbc:h2:mem:demofailover;MODE=MySQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
            "groupai.temporal.embedded.server=java-test-server",
            "groupai.temporal.embedded.port=0",
            "groupai.gate.port=0",
            "groupai.demo.enabled=true",
            "groupai.demo.dir=${java.io.tmpdir}/groupai-demo-failover-test/nodes",
            "groupai.data-dir=${java.io.tmpdir}/groupai-demo-failover-test",
            "groupai.sessions.dir=${java.io.tmpdir}/groupai-demo-failover-test/sessions",
            "groupai.secrets.key=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            "groupai.nodes.heartbeat-interval=2s",
            "groupai.heartbeat.lease-ttl=20s",
        })
class DemoFailoverEndToEndTest {

    static final Duration LEASE = Duration.ofSeconds(20);
    static final int HEALTH_INTERVAL_SECONDS = 2;

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @BeforeAll
    static void distributionIsBuilt() {
        assertThat(DemoFailoverEndToEndTest.class
                        .getClassLoader()
                        .getResource("worker-node-dist/distribution.properties"))
                .as("the worker-node distribution embedded by the app's build; `./mvnw verify` builds it first")
                .isNotNull();
    }

    @Test
    void aRestartedAgentBringsBackItsAccountsAndAKilledOnesAccountsMoveToTheOtherTwo() throws Exception {
        Api api = new Api(port);
        List<String> nodes =
                LocalDemo.NODES.stream().map(LocalDemo.DemoNode::nodeId).toList();
        await(
                "three agents heartbeating",
                Duration.ofMinutes(3),
                () -> nodes.stream()
                        .allMatch(n -> jdbc.sql(
                                                "SELECT COUNT(*) FROM servers WHERE node_id = ? AND last_heartbeat IS NOT NULL")
                                        .param(n)
                                        .query(Integer.class)
                                        .single()
                                == 1));
        JsonNode allocation = api.post(
                        "/api/v1/group-ai/account-allocation/auto?wait=true", "{\"strategy\": \"balanced\"}")
                .json();
        assertThat(allocation.get("planned").asInt()).as(allocation.toString()).isEqualTo(8);
        await("all 8 demo accounts reported online", Duration.ofMinutes(2), () -> onlineReported() == 8);
        jdbc.sql("UPDATE servers SET health_check_interval = ?")
                .param(HEALTH_INTERVAL_SECONDS)
                .update();

        // 1. Kill an agent and start it again before its lease runs out: it brings its accounts back itself.
        Map<String, Integer> before = placed();
        String restarted = busiest(before);
        long oldPid = kill(restarted);
        Api.Response start = api.post("/api/v1/group-ai/servers/" + restarted + "/actions/start", "");
        assertThat(start.status()).as(start.body()).isEqualTo(202);
        await(
                "the restarted agent on " + restarted + " reports its accounts running again",
                Duration.ofSeconds(90),
                () -> pid(restarted) != oldPid && reported(restarted) == before.get(restarted));
        assertThat(placed()).as("nothing moved").isEqualTo(before);

        // 2. Kill another agent for good.
        String killed = busiest(withoutKey(before, restarted));
        int moving = before.get(killed);
        kill(killed);
        Instant death = Instant.now();
        await(
                "the accounts of " + killed + " placed and reported online on the other two",
                Duration.ofMinutes(3),
                () -> !placed().containsKey(killed)
                        && nodes.stream()
                                        .filter(n -> !n.equals(killed))
                                        .mapToInt(this::reported)
                                        .sum()
                                == 8);
        Duration took = Duration.between(death, Instant.now());
        Duration target = FailoverTarget.of(LEASE, HEALTH_INTERVAL_SECONDS);
        System.out.printf(
                "demo failover: %d accounts of %s running on the other two %.1f s after its agent was killed "
                        + "(target lease %d s + 3 x %d s + 10 s = %d s; load average %s)%n",
                moving,
                killed,
                took.toMillis() / 1000.0,
                LEASE.toSeconds(),
                HEALTH_INTERVAL_SECONDS,
                target.toSeconds(),
                FailoverTarget.loadAverage());

        JsonNode health =
                api.get("/api/v1/group-ai/servers/" + killed + "/health").json();
        assertThat(health.get("state").asString()).isEqualTo("down");
        assertThat(health.get("reason").asString()).contains("lease expired", "failed check 3 of 3");
        assertThat(api.get("/api/v1/group-ai/supervision/alerts")
                        .json()
                        .get("down")
                        .values())
                .extracting(d -> d.get("node_id").asString())
                .containsExactly(killed);
        // The accounts report online before the failover's migrations finish their last steps (history record,
        // the source's cleanup): wait for the failover itself to close before reading its result.
        await(
                "the failover of " + killed + " closed",
                Duration.ofMinutes(1),
                () -> api.get("/api/v1/group-ai/workflows/failover-" + killed)
                        .json()
                        .hasNonNull("result"));
        JsonNode failover =
                api.get("/api/v1/group-ai/workflows/failover-" + killed).json();
        assertThat(failover.get("result").get("moved").size())
                .as(failover.toString())
                .isEqualTo(moving);
        assertThat(onlineReported()).isEqualTo(8);
        if (took.compareTo(target) > 0) {
            System.out.printf(
                    "demo failover: over the target by %.1f s; the node's health history: %s%n",
                    (took.toMillis() - target.toMillis()) / 1000.0, health.get("history"));
        }
        FailoverTarget.assertWithin("demo failover: the accounts of " + killed + " running elsewhere", took, target);
    }

    /** Accounts per server in the database. */
    private Map<String, Integer> placed() {
        Map<String, Integer> counts = new TreeMap<>();
        jdbc.sql("SELECT server_id, COUNT(*) AS n FROM accounts WHERE server_id IS NOT NULL GROUP BY server_id")
                .query((RowCallbackHandler) rs -> counts.put(rs.getString("server_id"), rs.getInt("n")));
        return counts;
    }

    /** How many accounts the node's latest heartbeat reported. */
    private int reported(String nodeId) {
        Integer n = jdbc.sql("SELECT reported_accounts FROM servers WHERE node_id = ?")
                .param(nodeId)
                .query(Integer.class)
                .optional()
                .orElse(0);
        return n == null ? 0 : n;
    }

    private int onlineReported() {
        return jdbc.sql("SELECT COUNT(*) FROM accounts WHERE status = 'online'")
                .query(Integer.class)
                .single();
    }

    private static String busiest(Map<String, Integer> counts) {
        return counts.entrySet().stream()
                .max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .orElseThrow()
                .getKey();
    }

    private static Map<String, Integer> withoutKey(Map<String, Integer> counts, String key) {
        Map<String, Integer> copy = new TreeMap<>(counts);
        copy.remove(key);
        return copy;
    }

    private static Path pidFile(String nodeId) {
        return Path.of(
                System.getProperty("java.io.tmpdir"),
                "groupai-demo-failover-test",
                "nodes",
                nodeId,
                "deploy",
                "run",
                "worker-node.pid");
    }

    private static long pid(String nodeId) {
        try {
            return Long.parseLong(Files.readString(pidFile(nodeId)).trim());
        } catch (Exception e) {
            return -1;
        }
    }

    /** SIGKILL: the agent gets no chance to stop its accounts or remove its pid file. */
    private static long kill(String nodeId) throws Exception {
        long pid = pid(nodeId);
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no agent " + pid));
        process.destroyForcibly();
        process.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        return pid;
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
