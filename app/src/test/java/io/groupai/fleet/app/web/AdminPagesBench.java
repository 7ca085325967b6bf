package io.groupai.fleet.app.web;

import io.groupai.fleet.app.Api;
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
 * What the admin pages ask the API for on every poll, timed over HTTP on a seeded fleet (default
 * 1,000 servers, 100,000 accounts: 90 placed per server, seen on it, and 10 unassigned; one history
 * line per placed account). H2 file database by default, MariaDB/MySQL with {@code DB_URL}.
 *
 * <p>Run: {@code ./mvnw -q -pl app -am test-compile exec:java -Dbench=app -Dexec.classpathScope=test
 * -Dexec.mainClass=io.groupai.fleet.app.web.AdminPagesBench -Dexec.args="<servers=1000> <calls=30>"}
 */
public final class AdminPagesBench {

    private AdminPagesBench() {}

    public static void main(String[] args) throws Exception {
        int servers = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        try (ConfigurableApplicationContext context = BenchApp.start("pages-bench")) {
            BenchApp.seed(context, servers, 100, 90, 10, false);
            JdbcClient jdbc = context.getBean(JdbcClient.class);
            if (jdbc.sql("SELECT COUNT(*) FROM allocation_history")
                            .query(Long.class)
                            .single()
                    == 0) {
                jdbc.sql("INSERT INTO allocation_history (account_id, server_id, allocation_type, load_score,"
                                + " workflow_id, created_at) SELECT account_id, server_id, 'initial', 10.0, 'bench',"
                                + " updated_at FROM accounts WHERE server_id IS NOT NULL")
                        .update();
            }
            HttpClient client =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = "http://127.0.0.1:" + BenchApp.port(context) + "/api/v1/group-ai";
            Random random = new Random(1);
            System.out.printf(
                    "%nAdmin pages' calls, database %s, %,d servers, %,d accounts, %d calls each, %d cores,"
                            + " system load %.1f%n",
                    BenchApp.database(),
                    servers,
                    servers * 100L,
                    calls,
                    Runtime.getRuntime().availableProcessors(),
                    OS.getSystemLoadAverage());
            String server = BenchApp.nodeId(servers / 2);
            System.out.println("Overview (every 5 s):");
            measure("GET /account-allocation/summary", calls, () -> get(client, base + "/account-allocation/summary"));
            measure(
                    "GET /accounts?status=online&size=1",
                    calls,
                    () -> get(client, base + "/accounts?status=online&size=1"));
            measure("GET /servers?page=0&size=25", calls, () -> get(client, base + "/servers?page=0&size=25"));
            measure("GET /alerts?open=true&size=10", calls, () -> get(client, base + "/alerts?open=true&size=10"));
            System.out.println("Servers (every 5 s):");
            measure(
                    "GET /servers?size=50&page=<random>",
                    calls,
                    () -> get(client, base + "/servers?size=50&page=" + random.nextInt(servers / 50)));
            measure(
                    "GET /servers?status=draining&location=loc-9&size=50",
                    calls,
                    () -> get(client, base + "/servers?status=draining&location=loc-9&size=50"));
            measure("GET /servers/{id}/status", calls, () -> get(client, base + "/servers/" + server + "/status"));
            measure("GET /servers/{id}/health", calls, () -> get(client, base + "/servers/" + server + "/health"));
            System.out.println("Accounts (every 5 s):");
            measure(
                    "GET /accounts?size=50&page=<random>",
                    calls,
                    () -> get(client, base + "/accounts?size=50&page=" + random.nextInt(servers * 2)));
            measure(
                    "GET /accounts?server_id=<one>&size=50",
                    calls,
                    () -> get(client, base + "/accounts?size=50&server_id=" + server));
            measure(
                    "GET /accounts?source_node=<one>&size=50",
                    calls,
                    () -> get(client, base + "/accounts?size=50&source_node=" + server));
            measure(
                    "GET /accounts?status=unallocated&size=50",
                    calls,
                    () -> get(client, base + "/accounts?size=50&status=unallocated"));
            System.out.println("Allocation (every 4 s):");
            measure(
                    "GET /account-allocation/history?size=20",
                    calls,
                    () -> get(client, base + "/account-allocation/history?size=20"));
            measure(
                    "GET /account-allocation/history?server_id=<one>&size=20",
                    calls,
                    () -> get(client, base + "/account-allocation/history?size=20&server_id=" + server));
            System.out.println("Workflows (every 3 s):");
            measure("GET /workflows?limit=100", calls, () -> get(client, base + "/workflows?limit=100"));
        }
        System.exit(0);
    }

    private interface Call {
        int run() throws Exception;
    }

    private static final com.sun.management.OperatingSystemMXBean OS = (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /** Two warm-up calls, then {@code calls} timed ones: p50/p99/max, CPU of this JVM per call, bytes. */
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
                "  %-58s p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  CPU %5.1f ms/call  %,9d bytes%n",
                what,
                BenchApp.percentile(times, 50) / 1e6,
                BenchApp.percentile(times, 99) / 1e6,
                times.get(times.size() - 1) / 1e6,
                cpuMs,
                bytes);
    }

    private static String token;

    private static int get(HttpClient client, String url) throws Exception {
        if (token == null) {
            token = Api.token(URI.create(url).getPort(), Api.TEST_ADMIN_USERNAME, Api.TEST_ADMIN_PASSWORD);
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
