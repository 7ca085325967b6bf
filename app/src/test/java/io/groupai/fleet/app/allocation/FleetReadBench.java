package io.groupai.fleet.app.allocation;

import io.groupai.fleet.app.BenchApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Fleet reads at scale: {@code GET /account-allocation/summary} and {@code GET /servers} pages
 * over HTTP on a seeded fleet (default 10,000 servers, 1,000,000 accounts: 90 placed per server
 * and 10 unassigned), with the GROUP BY the summary used to run on every call timed beside it.
 * H2 file database by default, MariaDB/MySQL with {@code DB_URL} (an empty database; the seed is
 * reused by the next run, as is an H2 file kept with {@code -Dbench.dir=...}).
 *
 * <p>Run: {@code ./mvnw -q -pl app -am test-compile exec:java -Dbench=app -Dexec.classpathScope=test
 * -Dexec.mainClass=io.groupai.fleet.app.allocation.FleetReadBench -Dexec.args="<servers=10000> <calls=50>"}
 */
public final class FleetReadBench {

    private FleetReadBench() {}

    public static void main(String[] args) throws Exception {
        int servers = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        // The read path alone by default: supervising 10,000 servers without agents (probes, lease checks) and a
        // reconciliation over them would share this JVM's CPU with the calls timed. -Dbench.background=true keeps them.
        boolean background = BenchApp.backgroundWorkflows();
        try (ConfigurableApplicationContext context = BenchApp.start("read-bench")) {
            BenchApp.seed(context, servers, 100, 90, 10, false);
            HttpClient client =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = "http://127.0.0.1:" + BenchApp.port(context) + "/api/v1/group-ai";
            JdbcClient jdbc = context.getBean(JdbcClient.class);
            Random random = new Random(1);
            System.out.printf(
                    "%nFleet read bench, database %s, %,d servers, %,d accounts, %d calls each, %d cores%n",
                    BenchApp.database(),
                    servers,
                    servers * 100L,
                    calls,
                    Runtime.getRuntime().availableProcessors());
            System.out.printf(
                    "system load average %.1f; background workflows (supervision, reconciliation, rebalance, backups) %s%n",
                    OS.getSystemLoadAverage(), background ? "on" : "off");

            measure("GET /account-allocation/summary", calls, () -> get(client, base + "/account-allocation/summary"));
            measure(
                    "GET /servers?page=<random>&size=100",
                    calls,
                    () -> get(client, base + "/servers?size=100&page=" + random.nextInt(servers / 100)));
            measure(
                    "GET /servers?status=active&location=loc-7&size=100",
                    calls,
                    () -> get(client, base + "/servers?status=active&location=loc-7&size=100"));
            io.groupai.fleet.registry.PlacementCounts counts =
                    context.getBean(io.groupai.fleet.registry.PlacementCounts.class);
            measure(
                    "  of which the counts query (in-process)",
                    calls,
                    () -> counts.usage().servers().size());
            AllocationSummaryController controller = context.getBean(AllocationSummaryController.class);
            measure(
                    "  of which the summary built (in-process)",
                    calls,
                    () -> controller.summary().servers().size());
            AllocationSummary built = controller.summary();
            tools.jackson.databind.json.JsonMapper mapper =
                    context.getBean(tools.jackson.databind.json.JsonMapper.class);
            measure("  of which its JSON (in-process)", calls, () -> mapper.writeValueAsBytes(built).length);
            measure("GROUP BY over all accounts (former summary query, in-process)", Math.min(calls, 10), () -> {
                jdbc.sql("SELECT server_id, COUNT(*) FROM accounts WHERE server_id IS NOT NULL GROUP BY server_id")
                        .query((rs, n) -> rs.getLong(2))
                        .list();
                return 0;
            });
        }
        System.exit(0);
    }

    private interface Call {
        int run() throws Exception;
    }

    private static final com.sun.management.OperatingSystemMXBean OS = (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /**
     * Two warm-up calls, then {@code calls} timed ones; prints p50/p99/max, the response size, and
     * the CPU this JVM (server and client) spent per call, which a busy shared machine does not inflate.
     */
    private static void measure(String what, int calls, Call call) throws Exception {
        call.run();
        call.run();
        long cpu0 = OS.getProcessCpuTime();
        List<Long> times = new ArrayList<>();
        int bytes = 0;
        for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            bytes = call.run();
            times.add(System.nanoTime() - t0);
        }
        double cpuMs = (OS.getProcessCpuTime() - cpu0) / 1e6 / calls;
        times.sort(Long::compare);
        System.out.printf(
                "%-60s p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  CPU %5.1f ms/call  %,9d bytes%n",
                what,
                BenchApp.percentile(times, 50) / 1e6,
                BenchApp.percentile(times, 99) / 1e6,
                times.get(times.size() - 1) / 1e6,
                cpuMs,
                bytes);
    }

    /** The test admin's access token (BenchApp's apps have it), signed in once per run. */
    private static String token;

    private static int get(HttpClient client, String url) throws Exception {
        if (token == null) {
            URI uri = URI.create(url);
            token = io.groupai.fleet.app.Api.token(
                    uri.getPort(),
                    io.groupai.fleet.app.Api.TEST_ADMIN_USERNAME,
                    io.groupai.fleet.app.Api.TEST_ADMIN_PASSWORD);
        }
        HttpResponse<byte[]> r = client.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + ": " + r.statusCode() + " " + new String(r.body()));
        }
        return r.body().length;
    }
}
