package io.groupai.fleet.app.allocation;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.BenchApp;
import io.groupai.fleet.app.FleetApplication;
import io.groupai.fleet.sessions.SessionStore;
import io.groupai.fleet.workflows.allocation.AllocationRequest;
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
 * End-to-end allocation bench: the whole control plane (REST, embedded Temporal, H2), N servers
 * reached over real SSH/SFTP (uploads with checksums) and the allocation workflow placing M
 * accounts with {@code POST /account-allocation/auto}. Prints accounts/s, p50/p99 per-account
 * latency, the bench process's CPU time per account (meaningful when the machine is shared) and
 * where each account's time goes.
 *
 * <p>Modes (4th argument):
 * <ul>
 *   <li>{@code agents} (default): N embedded (Apache MINA) SSH nodes, each running the REAL
 *       worker-node agent installed and started by the bootstrap workflow (a JVM per node,
 *       simulated Telegram runtime). Build the agent first ({@code ./mvnw -DskipTests package}).
 *   <li>{@code in-process}: N embedded SSH nodes whose queues are served by in-process test
 *       workers ({@link InProcessNodeAgent}), isolating the control plane's own cost.
 *   <li>{@code openssh}: ONE node, a real OpenSSH {@code sshd} on a loopback port (as the OpenSSH
 *       tests start it), queue served in-process; all M accounts go to it.
 *   <li>{@code openssh-agent}: the same ONE OpenSSH node with the REAL agent bootstrapped onto it.
 * </ul>
 *
 * <p>Run: {@code ./mvnw -q -pl app -am test-compile exec:java -Dbench=app -Dexec.classpathScope=test
 * -Dexec.mainClass=io.groupai.fleet.app.allocation.AllocationBench -Dexec.args="1000 20 4 agents"}
 * ({@code "1000 1 4 openssh"} for the one-node shape). The 3rd argument is {@code parallelism}:
 * server batches (up to 10 accounts of one server each) in flight at once; the product's default when absent.
 */
public final class AllocationBench {

    private AllocationBench() {}

    public static void main(String[] args) throws Exception {
        int accounts = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int nodeCount = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int parallelism = args.length > 2 ? Integer.parseInt(args[2]) : AllocationRequest.DEFAULT_PARALLELISM;
        String mode = args.length > 3 ? args[3] : "agents";
        boolean openSsh = mode.startsWith("openssh");
        boolean realAgents = "agents".equals(mode) || "openssh-agent".equals(mode);
        if (!List.of("agents", "in-process", "openssh", "openssh-agent").contains(mode)) {
            throw new IllegalArgumentException("mode is agents, in-process, openssh or openssh-agent, not " + mode);
        }
        if (openSsh) {
            nodeCount = 1;
            java.util.Optional<String> why = io.groupai.fleet.nodes.ssh.testing.OpenSshServer.unavailable();
            if (why.isPresent()) {
                throw new IllegalStateException("mode " + mode + " needs a real sshd: " + why.get());
            }
        }
        Path dir = Files.createTempDirectory("alloc-bench");
        SpringApplication app = new SpringApplication(FleetApplication.class);
        java.util.Map<String, String> properties = BenchApp.properties(dir);
        properties.put(
                "spring.datasource.url", "jdbc:h2:mem:bench;MODE=MySQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        // 20 copies of the 60 MB TDLib library are not needed for simulated accounts.
        properties.put("groupai.nodes.ship-tdlib", "false");
        // System properties outrank application.yml (default properties would not).
        properties.forEach(System::setProperty);
        io.groupai.fleet.nodes.ssh.testing.OpenSshServer sshd = null;
        try (ConfigurableApplicationContext context = app.run()) {
            int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
            Api api = new Api(port);
            // -Dbench.warmup=N (default 100): N accounts allocated first, unmeasured, so the measured run does not
            // pay for cold code (JIT) and first connections; 0 measures from cold.
            int warmup = Integer.getInteger("bench.warmup", 100);
            int capacity = (accounts + warmup + nodeCount - 1) / nodeCount;
            try (SimulatedFleet fleet =
                    new SimulatedFleet(api, context.getBean(WorkflowClient.class), dir.resolve("nodes"))) {
                long b0 = System.nanoTime();
                if (openSsh) {
                    Path sshdDir = Files.createDirectories(dir.resolve("sshd"));
                    sshd = io.groupai.fleet.nodes.ssh.testing.OpenSshServer.start(sshdDir);
                    fleet.openSshNode("bench-openssh", sshd, capacity, realAgents);
                }
                for (int i = 1; i <= nodeCount && !openSsh; i++) {
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
                if (warmup > 0) {
                    SimulatedFleet.accounts(
                            api,
                            context.getBean(SessionStore.class),
                            IntStream.range(0, warmup)
                                    .mapToObj(i -> "warm%05d".formatted(i))
                                    .toList(),
                            true);
                    long w0 = System.nanoTime();
                    Api.Response w = api.post(
                            "/api/v1/group-ai/account-allocation/auto?wait_seconds=600",
                            "{\"strategy\": \"load_balance\", \"parallelism\": " + parallelism + "}");
                    System.out.printf(
                            "warm-up: %d accounts allocated in %.1f s (not measured; -Dbench.warmup=0 to skip): %s%n",
                            warmup,
                            (System.nanoTime() - w0) / 1e9,
                            w.json().get("result").get("placed"));
                }
                List<String> ids = IntStream.range(0, accounts)
                        .mapToObj(i -> "bench%05d".formatted(i))
                        .toList();
                SimulatedFleet.accounts(api, context.getBean(SessionStore.class), ids, true);

                Counters before = Counters.of(context);
                double loadBefore = loadAverage();
                // -Dbench.jfr=<file>: a JFR profile of the allocation alone (not the start-up or the set-up).
                jdk.jfr.Recording jfr = null;
                if (System.getProperty("bench.jfr") != null) {
                    jfr = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
                    jfr.setDestination(Path.of(System.getProperty("bench.jfr")));
                    jfr.start();
                }
                long cpu0 = processCpuNanos();
                long t0 = System.nanoTime();
                Api.Response r = api.post(
                        "/api/v1/group-ai/account-allocation/auto?wait_seconds=600",
                        "{\"strategy\": \"load_balance\", \"parallelism\": " + parallelism + "}");
                double seconds = (System.nanoTime() - t0) / 1e9;
                long cpu = processCpuNanos() - cpu0;
                if (jfr != null) {
                    jfr.stop();
                    jfr.close();
                }
                Counters used = Counters.of(context).minus(before);
                JsonNode result = r.json().get("result");
                if (result == null || result.isNull()) {
                    throw new IllegalStateException("allocation did not finish in 600 s: " + r.body());
                }
                List<Long> latencies = new ArrayList<>();
                result.get("outcomes")
                        .forEach(o -> latencies.add(o.get("duration_millis").asLong()));
                List<Long> inOrder = List.copyOf(latencies);
                latencies.sort(Long::compare);
                System.out.printf(
                        "%nAllocation bench, %s; SSH/SFTP, H2, Temporal (%s) are real%n",
                        switch (mode) {
                            case "agents" ->
                                "embedded SSH nodes with REAL worker-node agents (one JVM per node, simulated Telegram runtime)";
                            case "in-process" -> "embedded SSH nodes, IN-PROCESS TEST WORKERS on the node queues";
                            case "openssh" -> "ONE real OpenSSH sshd node, IN-PROCESS TEST WORKER on its queue";
                            default -> "ONE real OpenSSH sshd node with the REAL worker-node agent";
                        },
                        context.getEnvironment().getProperty("groupai.temporal.embedded.server"));
                System.out.printf(
                        "accounts %d on %d node(s) (max %d each), parallelism %d batches, %d cores, load average %.1f"
                                + " before / %.1f after%n",
                        accounts,
                        nodeCount,
                        capacity,
                        parallelism,
                        Runtime.getRuntime().availableProcessors(),
                        loadBefore,
                        loadAverage());
                System.out.printf(
                        "placed %d, failed %d in %.1f s -> %.1f accounts/s (%.0f accounts/min)%n",
                        result.get("placed").asInt(),
                        result.get("failed").asInt(),
                        seconds,
                        accounts / seconds,
                        60 * accounts / seconds);
                System.out.printf(
                        "per-account latency (its batch's reserve .. its history row): p50 %d ms, p99 %d ms, max %d ms%n",
                        pct(latencies, 50), pct(latencies, 99), latencies.get(latencies.size() - 1));
                // The first accounts run on cold code (JIT) and an empty pipeline: the latency by chunk shows it apart.
                int chunkSize = io.groupai.fleet.workflows.allocation.AllocationRequest.DEFAULT_CHUNK_SIZE;
                StringBuilder byChunk = new StringBuilder("latency by chunk of " + chunkSize + " (p50/p99/max ms):");
                for (int from = 0; from < inOrder.size(); from += chunkSize) {
                    List<Long> part = inOrder.subList(from, Math.min(inOrder.size(), from + chunkSize)).stream()
                            .sorted()
                            .toList();
                    byChunk.append(" %d/%d/%d".formatted(pct(part, 50), pct(part, 99), part.getLast()));
                }
                System.out.println(byChunk);
                System.out.printf(
                        "control-plane process CPU: %.1f ms per account (%.0f%% of one core over the run); on 2 idle"
                                + " cores that bounds the rate near %.0f accounts/s%n",
                        cpu / 1e6 / accounts, 100.0 * cpu / (seconds * 1e9), 2e9 * accounts / Math.max(1, cpu));
                used.print(accounts);
                timeBreakdown(
                        context.getBean(WorkflowClient.class),
                        r.json().get("workflow_id").asString(),
                        accounts);
            }
        }
        if (sshd != null) {
            sshd.close();
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
        List<long[]> chunkSpans = new ArrayList<>();
        for (int n = 1; n <= (accounts + chunkSize - 1) / chunkSize; n++) {
            io.temporal.common.WorkflowExecutionHistory history;
            try {
                history = client.fetchHistory(workflowId + "-chunk-" + n);
            } catch (RuntimeException e) {
                break;
            }
            List<io.temporal.api.history.v1.HistoryEvent> events = history.getEvents();
            chunkSpans.add(new long[] {
                com.google.protobuf.util.Timestamps.toMillis(events.getFirst().getEventTime()),
                com.google.protobuf.util.Timestamps.toMillis(events.getLast().getEventTime())
            });
            for (io.temporal.api.history.v1.HistoryEvent e : events) {
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
        // Chunks run one after the other: between two, the last batches drain and the parent pages and plans.
        long gaps = 0;
        for (int i = 1; i < chunkSpans.size(); i++) {
            gaps += chunkSpans.get(i)[0] - chunkSpans.get(i - 1)[1];
        }
        System.out.printf(
                "%nchunks: %d, %.0f ms mean from start to close; %.0f ms mean from one chunk's close to the next one's"
                        + " start (the parent pages and plans)%n",
                chunkSpans.size(),
                chunkSpans.stream().mapToLong(x -> x[1] - x[0]).average().orElse(0),
                chunkSpans.size() < 2 ? 0.0 : gaps / (double) (chunkSpans.size() - 1));
        System.out.printf(
                "%nwhere the time goes (from the chunk histories), per step: queue = scheduled .. started (the"
                        + " embedded Temporal server and worker slots), run = started .. completed%n");
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

    /** What the SSH layer and the claims did, read from the app's beans. */
    private record Counters(
            io.groupai.fleet.nodes.ssh.SshSessionPool.Stats pool,
            io.groupai.fleet.nodes.ssh.RemoteShell.Stats shell,
            io.groupai.fleet.nodes.ssh.SessionTransfer.Stats sftp,
            io.groupai.fleet.allocation.AllocationStore.LockStats locks) {

        static Counters of(ConfigurableApplicationContext context) {
            return new Counters(
                    context.getBean(io.groupai.fleet.nodes.ssh.SshSessionPool.class)
                            .stats(),
                    context.getBean(io.groupai.fleet.nodes.ssh.RemoteShell.class)
                            .stats(),
                    context.getBean(io.groupai.fleet.nodes.ssh.SessionTransfer.class)
                            .stats(),
                    context.getBean(io.groupai.fleet.allocation.AllocationStore.class)
                            .lockStats());
        }

        Counters minus(Counters b) {
            return new Counters(
                    new io.groupai.fleet.nodes.ssh.SshSessionPool.Stats(
                            pool.sessionsOpened() - b.pool.sessionsOpened(),
                            pool.sessionsReused() - b.pool.sessionsReused(),
                            pool.channelsOpened() - b.pool.channelsOpened(),
                            pool.slotWaitNanos() - b.pool.slotWaitNanos()),
                    new io.groupai.fleet.nodes.ssh.RemoteShell.Stats(
                            shell.commands() - b.shell.commands(), shell.nanos() - b.shell.nanos()),
                    new io.groupai.fleet.nodes.ssh.SessionTransfer.Stats(
                            sftp.sftpChannels() - b.sftp.sftpChannels(),
                            sftp.sftpNanos() - b.sftp.sftpNanos(),
                            sftp.files() - b.sftp.files()),
                    new io.groupai.fleet.allocation.AllocationStore.LockStats(
                            locks.calls() - b.locks.calls(), locks.nanos() - b.locks.nanos()));
        }

        void print(int accounts) {
            long uses = pool.sessionsOpened() + pool.sessionsReused();
            System.out.printf(
                    "SSH sessions: %d opened, %d uses served by an open session (%.1f%% reuse), %d channels"
                            + " (%.2f per account), %.1f ms mean wait for a session slot%n",
                    pool.sessionsOpened(),
                    pool.sessionsReused(),
                    uses == 0 ? 0 : 100.0 * pool.sessionsReused() / uses,
                    pool.channelsOpened(),
                    pool.channelsOpened() / (double) accounts,
                    uses == 0 ? 0 : pool.slotWaitNanos() / 1e6 / uses);
            System.out.printf(
                    "SSH commands: %d (%.2f per account), %.1f ms mean; SFTP: %d channels moved %d files"
                            + " (%.1f files per channel), %.1f ms mean per channel%n",
                    shell.commands(),
                    shell.commands() / (double) accounts,
                    shell.commands() == 0 ? 0 : shell.nanos() / 1e6 / shell.commands(),
                    sftp.sftpChannels(),
                    sftp.files(),
                    sftp.sftpChannels() == 0 ? 0 : sftp.files() / (double) sftp.sftpChannels(),
                    sftp.sftpChannels() == 0 ? 0 : sftp.sftpNanos() / 1e6 / sftp.sftpChannels());
            System.out.printf(
                    "database row locks (claims and completions): %d lock rounds, %.1f ms mean to take them,"
                            + " %.2f ms per account%n",
                    locks.calls(),
                    locks.calls() == 0 ? 0 : locks.nanos() / 1e6 / locks.calls(),
                    locks.nanos() / 1e6 / accounts);
        }
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long pct(List<Long> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }
}
