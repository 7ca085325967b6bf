package io.groupai.fleet.app.heartbeats;

import io.groupai.fleet.app.BenchApp;
import io.groupai.fleet.heartbeats.Heartbeat;
import io.groupai.fleet.heartbeats.HeartbeatService;
import io.groupai.fleet.registry.AccountReport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Heartbeat ingest: simulated nodes with 100 accounts each post heartbeats concurrently, in
 * round-robin over the nodes; prints account reports/s, heartbeats/s and latency per heartbeat.
 * A fleet of 10,000 nodes reporting every 30 s sends 33,000 account reports a second.
 *
 * <p>Each heartbeat changes the counters of {@code changed}% of its accounts (the rest report what
 * is stored, as a node mostly does between two heartbeats). Mode {@code http} posts JSON to
 * {@code POST /api/v1/workers/heartbeat} with the node's bearer token (client and server share
 * this machine's cores); {@code direct} calls the heartbeat service in-process (the database
 * side alone). H2 file database by default, MariaDB/MySQL with {@code DB_URL} (an empty
 * database; the seed is reused by the next run).
 *
 * <p>Run: {@code ./mvnw -q -pl app -am test-compile exec:java -Dbench=app -Dexec.classpathScope=test
 * -Dexec.mainClass=io.groupai.fleet.app.heartbeats.HeartbeatIngestBench
 * -Dexec.args="<nodes=1000> <accounts per node=100> <changed %=10> <clients=16> <seconds=40> <http|direct>"}
 */
public final class HeartbeatIngestBench {

    private static final java.time.Duration WARM_UP = java.time.Duration.ofSeconds(20);

    private HeartbeatIngestBench() {}

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int perNode = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int changedPercent = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int clients = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        int seconds = args.length > 4 ? Integer.parseInt(args[4]) : 40;
        boolean http = args.length <= 5 || !"direct".equals(args[5]);
        int changed = perNode * changedPercent / 100;

        // The ingest path alone by default (-Dbench.background=true keeps the app's background workflows).
        boolean background = BenchApp.backgroundWorkflows();
        try (ConfigurableApplicationContext context = BenchApp.start("ingest-bench")) {
            BenchApp.seed(context, nodes, perNode, perNode, 0, http);
            HeartbeatService service = context.getBean(HeartbeatService.class);
            HttpClient client =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI uri = URI.create("http://127.0.0.1:" + BenchApp.port(context) + "/api/v1/workers/heartbeat");
            AtomicIntegerArray rounds = new AtomicIntegerArray(nodes);
            AtomicLong next = new AtomicLong();

            // Warm-up: one pass over every node (its first heartbeat writes its changed rows once).
            Runner send = node -> {
                int round = rounds.incrementAndGet(node);
                if (http) {
                    HttpResponse<String> r = client.send(
                            HttpRequest.newBuilder(uri)
                                    .header("Content-Type", "application/json")
                                    .header("Authorization", "Bearer " + BenchApp.token(node))
                                    .POST(HttpRequest.BodyPublishers.ofString(json(node, perNode, changed, round)))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(
                                "heartbeat of " + BenchApp.nodeId(node) + ": " + r.statusCode() + " " + r.body());
                    }
                } else {
                    service.accept(heartbeat(node, perNode, changed, round));
                }
            };
            long w0 = System.nanoTime();
            run(clients, () -> {
                for (long n; (n = next.getAndIncrement()) < nodes; ) {
                    send.run((int) n);
                }
                return List.of();
            });
            System.out.printf(
                    "background workflows (supervision, reconciliation, rebalance, backups) %s%n",
                    background ? "on" : "off");
            System.out.printf(
                    "warm-up: one heartbeat from each of %,d nodes in %.1f s%n", nodes, (System.nanoTime() - w0) / 1e9);
            // Then at least WARM_UP in all, so the JIT has compiled the hot paths before anything is measured.
            long warm = w0 + WARM_UP.toNanos();
            run(clients, () -> {
                while (System.nanoTime() < warm) {
                    send.run((int) (next.getAndIncrement() % nodes));
                }
                return List.of();
            });

            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            long t0 = System.nanoTime();
            List<Long> latencies = run(clients, () -> {
                List<Long> own = new ArrayList<>();
                while (System.nanoTime() < deadline) {
                    int node = (int) (next.getAndIncrement() % nodes);
                    long s = System.nanoTime();
                    send.run(node);
                    own.add(System.nanoTime() - s);
                }
                return own;
            });
            double elapsed = (System.nanoTime() - t0) / 1e9;
            double cpuSeconds = (os.getProcessCpuTime() - cpu0) / 1e9;
            latencies.sort(Long::compare);
            long heartbeats = latencies.size();
            System.out.printf(
                    "%nHeartbeat ingest bench, %s, database %s, %d cores%n",
                    http ? "over HTTP (JSON, bearer token)" : "direct service calls",
                    BenchApp.database(),
                    Runtime.getRuntime().availableProcessors());
            System.out.printf(
                    "%,d nodes x %d accounts, %d%% of reports changed per heartbeat, %d concurrent clients, %.0f s%n",
                    nodes, perNode, changedPercent, clients, elapsed);
            System.out.printf(
                    "%,d heartbeats -> %,.0f heartbeats/s, %,.0f account reports/s%n",
                    heartbeats, heartbeats / elapsed, heartbeats * perNode / elapsed);
            // The machine may be shared: CPU spent per heartbeat says what a core sustains whatever the load.
            System.out.printf(
                    "CPU of this JVM (%s): %.2f ms per heartbeat -> %,.0f account reports/s per fully available core; "
                            + "system load average %.1f%n",
                    http ? "server and HTTP clients" : "server side",
                    1000 * cpuSeconds / heartbeats,
                    heartbeats * perNode / cpuSeconds,
                    os.getSystemLoadAverage());
            System.out.printf(
                    "latency per heartbeat: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    BenchApp.percentile(latencies, 50) / 1e6,
                    BenchApp.percentile(latencies, 99) / 1e6,
                    latencies.get(latencies.size() - 1) / 1e6);
        }
        System.exit(0);
    }

    private interface Runner {
        void run(int node) throws Exception;
    }

    private static List<Long> run(int clients, java.util.concurrent.Callable<List<Long>> work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(work));
            }
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> f : futures) {
                all.addAll(f.get());
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The first {@code changed} accounts count one more message per round; the others report what is stored. */
    private static long messages(int i, int changed, int round) {
        return i < changed ? round : 0;
    }

    private static String json(int node, int perNode, int changed, int round) {
        StringBuilder b = new StringBuilder(perNode * 110 + 100);
        b.append("{\"node_id\": \"")
                .append(BenchApp.nodeId(node))
                .append("\", \"status\": \"online\", \"account_count\": ")
                .append(perNode)
                .append(", \"accounts\": [");
        for (int i = 0; i < perNode; i++) {
            b.append(i == 0 ? "" : ", ")
                    .append("{\"account_id\": \"")
                    .append(BenchApp.accountId(node, i))
                    .append("\", \"status\": \"online\", \"message_count\": ")
                    .append(messages(i, changed, round))
                    .append(", \"reply_count\": 0}");
        }
        return b.append("]}").toString();
    }

    private static Heartbeat heartbeat(int node, int perNode, int changed, int round) {
        List<AccountReport> reports = new ArrayList<>(perNode);
        for (int i = 0; i < perNode; i++) {
            reports.add(new AccountReport(
                    BenchApp.accountId(node, i),
                    "online",
                    null,
                    messages(i, changed, round),
                    0,
                    null,
                    null,
                    List.of()));
        }
        return new Heartbeat(BenchApp.nodeId(node), "online", perNode, reports, List.of(), List.of());
    }
}
