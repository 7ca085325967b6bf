package io.groupai.fleet.app.supervision;

import io.groupai.fleet.app.BenchApp;
import io.groupai.fleet.workflows.TaskQueues;
import io.groupai.fleet.workflows.WorkflowIds;
import io.groupai.fleet.workflows.supervision.NodeSupervisorWorkflow;
import io.groupai.fleet.workflows.supervision.SupervisionState;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Supervision cost: {@code nodes} simulated nodes heartbeat every 30 s over HTTP (10 accounts each)
 * while the control plane (embedded Temporal test server in the same JVM, H2 file) runs one
 * NodeSupervisorWorkflow per node. The JVM's CPU is measured over a window without supervisors,
 * then over the same window with them; the difference per node per minute is what supervision
 * costs. Leases are the default 90 s; the slow SSH probe is pushed out of the window (1 h), since
 * the bench servers have no SSH: an SSH probe's cost is in the SSH bench (README).
 *
 * <p>Run: {@code ./mvnw -q -pl app -am test-compile exec:java -Dbench=app -Dexec.classpathScope=test
 * -Dexec.mainClass=io.groupai.fleet.app.supervision.SupervisionBench -Dexec.args="<nodes=1000> <seconds=180>"}
 */
public final class SupervisionBench {

    private static final int ACCOUNTS = 10;

    private SupervisionBench() {}

    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 180;
        System.setProperty("groupai.supervision.enabled", "false"); // started below, when the baseline is measured
        System.setProperty("groupai.supervision.probe-interval", "1h");
        try (ConfigurableApplicationContext context = BenchApp.start("supervision-bench")) {
            BenchApp.seed(context, nodes, ACCOUNTS, ACCOUNTS, 0, true);
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI uri = URI.create("http://127.0.0.1:" + BenchApp.port(context) + "/api/v1/workers/heartbeat");
            AtomicLong beats = new AtomicLong();
            AtomicLong failures = new AtomicLong();
            ScheduledExecutorService nodesPool = Executors.newScheduledThreadPool(8);
            for (int n = 0; n < nodes; n++) {
                int node = n;
                String body = json(node);
                nodesPool.scheduleAtFixedRate(
                        () -> {
                            try {
                                HttpResponse<Void> r = http.send(
                                        HttpRequest.newBuilder(uri)
                                                .header("Content-Type", "application/json")
                                                .header("Authorization", "Bearer " + BenchApp.token(node))
                                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding());
                                (r.statusCode() == 200 ? beats : failures).incrementAndGet();
                            } catch (Exception e) {
                                failures.incrementAndGet();
                            }
                        },
                        30_000L * node / nodes,
                        30_000,
                        TimeUnit.MILLISECONDS);
            }
            Thread.sleep(45_000); // every node has a lease; the JIT has seen the heartbeat path
            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean();

            double baseline = cpuOver(os, seconds);
            long beatsBaseline = beats.get();

            WorkflowClient client = context.getBean(WorkflowClient.class);
            long s0 = System.nanoTime();
            for (int n = 0; n < nodes; n++) {
                String nodeId = BenchApp.nodeId(n);
                NodeSupervisorWorkflow stub = client.newWorkflowStub(
                        NodeSupervisorWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setWorkflowId(WorkflowIds.nodeSupervisor(nodeId))
                                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                                .build());
                WorkflowClient.start(stub::supervise, SupervisionState.start(nodeId));
            }
            System.out.printf("started %,d supervisors in %.1f s%n", nodes, (System.nanoTime() - s0) / 1e9);
            Thread.sleep(Duration.ofSeconds(100).toMillis()); // every supervisor has checked and slept once
            long beatsBefore = beats.get();
            double supervised = cpuOver(os, seconds);
            long beatsSupervised = beats.get() - beatsBefore;
            String state = client.newWorkflowStub(
                            NodeSupervisorWorkflow.class, WorkflowIds.nodeSupervisor(BenchApp.nodeId(nodes / 2)))
                    .health()
                    .state();

            double perNodeMinuteMs = (supervised - baseline) * 1000 / nodes / (seconds / 60.0);
            // On a loaded machine the two windows may see different numbers of heartbeats: take the baseline's
            // CPU per heartbeat off the supervised window's heartbeats instead.
            double perBeat = baseline / Math.max(1, beatsBaseline);
            double normalizedMs = (supervised - perBeat * beatsSupervised) * 1000 / nodes / (seconds / 60.0);
            System.out.printf(
                    "%nSupervision bench: %,d nodes heartbeating every 30 s (%d accounts each), lease 90 s, %s, %d cores, "
                            + "load average %.1f%n",
                    nodes,
                    ACCOUNTS,
                    BenchApp.database(),
                    Runtime.getRuntime().availableProcessors(),
                    os.getSystemLoadAverage());
            System.out.printf(
                    "JVM CPU over %d s: %.1f s without supervisors (%,d heartbeats), %.1f s with (%,d heartbeats)%n",
                    seconds, baseline, beatsBaseline, supervised, beatsSupervised);
            System.out.printf(
                    "supervision: %.2f ms CPU per node per minute (%.1f%% of one core for %,d nodes); "
                            + "a sample supervisor says %s; heartbeat failures %d%n",
                    perNodeMinuteMs, 100 * (supervised - baseline) / seconds, nodes, state, failures.get());
            System.out.printf(
                    "normalised by heartbeats (%.2f ms CPU each): %.2f ms CPU per node per minute%n",
                    perBeat * 1000, normalizedMs);
            nodesPool.shutdownNow();
        }
        System.exit(0);
    }

    private static double cpuOver(com.sun.management.OperatingSystemMXBean os, int seconds)
            throws InterruptedException {
        long cpu0 = os.getProcessCpuTime();
        Thread.sleep(seconds * 1000L);
        return (os.getProcessCpuTime() - cpu0) / 1e9;
    }

    private static String json(int node) {
        StringBuilder b = new StringBuilder("{\"node_id\": \"")
                .append(BenchApp.nodeId(node))
                .append("\", \"status\": \"online\", \"account_count\": ")
                .append(ACCOUNTS)
                .append(", \"accounts\": [");
        for (int i = 0; i < ACCOUNTS; i++) {
            b.append(i == 0 ? "" : ", ")
                    .append("{\"account_id\": \"")
                    .append(BenchApp.accountId(node, i))
                    .append("\", \"status\": \"online\", \"message_count\": 0, \"reply_count\": 0}");
        }
        return b.append("]}").toString();
    }
}
