package io.groupai.fleet.nodes.ssh;

import io.groupai.fleet.nodes.sim.EmbeddedSshNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Probes N simulated nodes in parallel through one {@link SshSessionPool}: a warm-up round (connects,
 * pins host keys) and a measured round on the pooled sessions. Usage: {@code ProbeBench [nodes]}.
 *
 * <pre>
 * JAVA_HOME=... ./mvnw -B -q -pl activities -am test-compile exec:java \
 *     -Dexec.mainClass=io.groupai.fleet.nodes.ssh.ProbeBench -Dexec.classpathScope=test [-Dexec.args=100]
 * </pre>
 */
public final class ProbeBench {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        Path base = Files.createTempDirectory("probe-bench");
        List<EmbeddedSshNode> nodes = new ArrayList<>();
        SshSettings settings = SshSettings.DEFAULTS.withMaxSessionsPerServer(1);
        // Probes mostly wait (SSH round trips, the 200 ms CPU sample): one virtual thread each, all concurrent.
        try (SshSessionPool pool = new SshSessionPool(
                        settings,
                        new InMemoryHostKeyStore(),
                        nodeId -> SshCredentials.Password.of(SshTestSupport.PASSWORD));
                ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                nodes.add(SshTestSupport.startNode(base, String.format("bench-%03d", i)));
            }
            System.out.printf("started %d simulated nodes in %d ms%n", n, (System.nanoTime() - t0) / 1_000_000);
            NodeProbe probe = new NodeProbe(new RemoteShell(pool));

            Round warm = round(nodes, probe, executor);
            System.out.printf(
                    "warm-up (connect + pin host keys): nodes=%d, wall_ms=%d, failures=%d%n",
                    n, warm.wallMs, warm.failures);
            Round measured = round(nodes, probe, executor);
            System.out.printf(
                    "nodes=%d, wall_ms=%d, probes_per_s=%.1f, failures=%d, max_latency_ms=%d%n",
                    n, measured.wallMs, n * 1000.0 / measured.wallMs, measured.failures, measured.maxLatencyMs);
        } finally {
            nodes.forEach(EmbeddedSshNode::close);
            deleteTree(base);
        }
    }

    private record Round(long wallMs, int failures, long maxLatencyMs) {}

    private static Round round(List<EmbeddedSshNode> nodes, NodeProbe probe, ExecutorService executor)
            throws InterruptedException {
        long start = System.nanoTime();
        List<Future<ProbeResult>> futures = nodes.stream()
                .map(node -> executor.submit(() -> probe.probe(node.target())))
                .toList();
        int failures = 0;
        long maxLatency = 0;
        for (Future<ProbeResult> f : futures) {
            try {
                maxLatency = Math.max(maxLatency, f.get().latencyMillis());
            } catch (java.util.concurrent.ExecutionException e) {
                failures++;
                System.err.println("probe failed: " + e.getCause().getMessage());
            }
        }
        return new Round((System.nanoTime() - start) / 1_000_000, failures, maxLatency);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
