package io.groupai.fleet.app.allocation;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.BenchApp;
import io.groupai.fleet.app.FleetApplication;
import io.groupai.fleet.sessions.SessionStore;
import io.temporal.client.WorkflowClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * End-to-end allocation bench: the whole control plane (REST, embedded Temporal, H2), N simulated
 * SSH nodes (Apache MINA, real SFTP uploads with checksums) and the allocation workflow placing M
 * accounts with {@code POST /account-allocation/auto}. Prints accounts/s and p50/p99 per-account latency.
 *
 * <p>Mode {@code agents} (default): every node runs the REAL worker-node agent, installed and started
 * by the bootstrap workflow (a JVM per node, simulated Telegram runtime), so accounts are really
 * started and confirmed on their nodes. Mode {@code in-process}: the node queues are served by
 * in-process test workers ({@link InProcessNodeAgent}), isolating the control plane's own cost.
 * Build the agent first ({@code ./mvnw -DskipTests package}).
 *
 * <p>Run: {@code ./mvnw -q -pl app -am test-compile exec:java -Dbench=app -Dexec.classpathScope=test
 * -Dexec.mainClass=io.groupai.fleet.app.allocation.AllocationBench -Dexec.args="1000 20 32 agents"}
 */
public final class AllocationBench {

    private AllocationBench() {}

    public static void main(String[] args) throws Exception {
        int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int nodeCount = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int parallelism = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        boolean realAgents = args.length <= 3 || !"in-process".equals(args[3]);
        Path dir = Files.createTempDirectory("alloc-bench");
        SpringApplication app = new SpringApplication(FleetApplication.class);
        java.util.Map<String, String> properties = BenchApp.properties(dir);
        properties.put(
                "spring.datasource.url", "jdbc:h2:mem:bench;MODE=MySQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        // 20 copies of the 60 MB TDLib library are not needed for simulated accounts.
        properties.put("groupai.nodes.ship-tdlib", "false");
        // System properties outrank application.yml (default properties would not).
        properties.forEach(System::setProperty);
        try (ConfigurableApplicationContext context = app.run()) {
            int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
            Api api = new Api(port);
            int capacity = (accounts + nodeCount - 1) / nodeCount;
            try (SimulatedFleet fleet =
                    new SimulatedFleet(api, context.getBean(WorkflowClient.class), dir.resolve("nodes"))) {
                long b0 = System.nanoTime();
                for (int i = 1; i <= nodeCount; i++) {
                    if (realAgents) {
                        fleet.realAgentNode("bench-%02d".formatted(i), capacity);
                    } else {
                        fleet.node("bench-%02d".formatted(i), capacity, true);
                    }
                }
                fleet.start();
                if (realAgents) {
                    fleet.bootstrapAll(java.time.Duration.ofMinutes(10));
                    System.out.printf(
                            "bootstrapped %d worker-node agents in %.1f s%n",
                            nodeCount, (System.nanoTime() - b0) / 1e9);
                }
                List<String> ids = IntStream.range(0, accounts)
                        .mapToObj(i -> "bench%05d".formatted(i))
                        .toList();
                SimulatedFleet.accounts(api, context.getBean(SessionStore.class), ids, true);

                long t0 = System.nanoTime();
                Api.Response r = api.post(
                        "/api/v1/group-ai/account-allocation/auto?wait_seconds=300",
                        "{\"strategy\": \"load_balance\", \"parallelism\": " + parallelism + "}");
                double seconds = (System.nanoTime() - t0) / 1e9;
                JsonNode result = r.json().get("result");
                if (result == null || result.isNull()) {
                    throw new IllegalStateException("allocation did not finish in 300 s: " + r.body());
                }
                List<Long> latencies = new ArrayList<>();
                result.get("outcomes")
                        .forEach(o -> latencies.add(o.get("duration_millis").asLong()));
                latencies.sort(Long::compare);
                System.out.printf(
                        "%nAllocation bench, node agents: %s; SSH/SFTP, H2, Temporal are real%n",
                        realAgents
                                ? "REAL worker-node agents (one JVM per node, simulated Telegram runtime)"
                                : "IN-PROCESS TEST WORKERS");
                System.out.printf(
                        "accounts %d on %d simulated SSH nodes (max %d each), parallelism %d, %d cores%n",
                        accounts,
                        nodeCount,
                        capacity,
                        parallelism,
                        Runtime.getRuntime().availableProcessors());
                System.out.printf(
                        "placed %d, failed %d in %.1f s -> %.1f accounts/s (%.0f accounts/min)%n",
                        result.get("placed").asInt(),
                        result.get("failed").asInt(),
                        seconds,
                        accounts / seconds,
                        60 * accounts / seconds);
                System.out.printf(
                        "per-account latency (reserve..history): p50 %d ms, p99 %d ms, max %d ms%n",
                        pct(latencies, 50), pct(latencies, 99), latencies.get(latencies.size() - 1));
                timeBreakdown(
                        context.getBean(WorkflowClient.class),
                        r.json().get("workflow_id").asString(),
                        accounts);
            }
        }
        System.exit(0);
    }

    /**
     * Where each account's time went, read from the chunk workflows' histories: per activity type
     * (reserve and complete hold the database locks, upload is SSH + SFTP, start/list run on the
     * node) the time a task waited in its queue (embedded Temporal server, worker slots) and the
     * time it ran; and the workflow tasks (the embedded server and the workflow worker).
     */
    private static void timeBreakdown(WorkflowClient client, String workflowId, int accounts) {
        java.util.Map<Long, io.temporal.api.history.v1.HistoryEvent> scheduled = new java.util.HashMap<>();
        java.util.Map<Long, Long> started = new java.util.HashMap<>();
        java.util.Map<String, List<long[]>> byType = new java.util.TreeMap<>();
        int chunkSize = io.groupai.fleet.workflows.allocation.AllocationRequest.DEFAULT_CHUNK_SIZE;
        for (int n = 1; n <= (accounts + chunkSize - 1) / chunkSize; n++) {
            io.temporal.common.WorkflowExecutionHistory history;
            try {
                history = client.fetchHistory(workflowId + "-chunk-" + n);
            } catch (RuntimeException e) {
                break;
            }
            for (io.temporal.api.history.v1.HistoryEvent e : history.getEvents()) {
                long at = com.google.protobuf.util.Timestamps.toMillis(e.getEventTime());
                switch (e.getEventType()) {
                    case EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, EVENT_TYPE_WORKFLOW_TASK_SCHEDULED ->
                        scheduled.put(e.getEventId(), e);
                    case EVENT_TYPE_ACTIVITY_TASK_STARTED ->
                        started.put(e.getActivityTaskStartedEventAttributes().getScheduledEventId(), at);
                    case EVENT_TYPE_WORKFLOW_TASK_STARTED ->
                        started.put(e.getWorkflowTaskStartedEventAttributes().getScheduledEventId(), at);
                    case EVENT_TYPE_ACTIVITY_TASK_COMPLETED -> {
                        long id = e.getActivityTaskCompletedEventAttributes().getScheduledEventId();
                        io.temporal.api.history.v1.HistoryEvent s = scheduled.get(id);
                        String type = s.getActivityTaskScheduledEventAttributes()
                                .getActivityType()
                                .getName();
                        long s0 = com.google.protobuf.util.Timestamps.toMillis(s.getEventTime());
                        byType.computeIfAbsent(type, k -> new ArrayList<>())
                                .add(new long[] {started.get(id) - s0, at - started.get(id)});
                    }
                    case EVENT_TYPE_WORKFLOW_TASK_COMPLETED -> {
                        long id = e.getWorkflowTaskCompletedEventAttributes().getScheduledEventId();
                        long s0 = com.google.protobuf.util.Timestamps.toMillis(
                                scheduled.get(id).getEventTime());
                        byType.computeIfAbsent("(workflow task)", k -> new ArrayList<>())
                                .add(new long[] {started.get(id) - s0, at - started.get(id)});
                    }
                    default -> {}
                }
            }
        }
        System.out.printf("%nwhere the time goes (from the chunk histories), per step:%n");
        System.out.printf(
                "%-28s %7s %8s %13s %12s %12s %14s%n",
                "step", "count", "per acct", "queue mean ms", "queue p99 ms", "run mean ms", "run p99 ms");
        byType.forEach((type, list) -> {
            List<Long> queue = list.stream().map(x -> x[0]).sorted().toList();
            List<Long> run = list.stream().map(x -> x[1]).sorted().toList();
            System.out.printf(
                    "%-28s %7d %8.1f %13.1f %12d %12.1f %14d%n",
                    type,
                    list.size(),
                    list.size() / (double) accounts,
                    queue.stream().mapToLong(Long::longValue).average().orElse(0),
                    pct(queue, 99),
                    run.stream().mapToLong(Long::longValue).average().orElse(0),
                    pct(run, 99));
        });
    }

    private static long pct(List<Long> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }
}
