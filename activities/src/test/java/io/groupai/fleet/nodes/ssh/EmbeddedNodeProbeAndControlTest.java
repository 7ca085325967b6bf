package io.groupai.fleet.nodes.ssh;

import static io.groupai.fleet.nodes.ssh.SshTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.nodes.sim.EmbeddedSshNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Probes and worker process control against several simulated nodes running at once. */
class EmbeddedNodeProbeAndControlTest {

    @TempDir
    static Path base;

    static List<EmbeddedSshNode> nodes;
    static SshSessionPool pool;
    static RemoteShell shell;
    static NodeProbe probe;
    static WorkerProcessControl control;

    @BeforeAll
    static void startNodes() {
        nodes = IntStream.range(0, 3)
                .mapToObj(i -> startNode(base, "node-" + i))
                .toList();
        nodes.forEach(n -> installFakeWorker(n.deployDir()));
        pool = new SshSessionPool(FAST, new InMemoryHostKeyStore(), new Credentials());
        shell = new RemoteShell(pool);
        probe = new NodeProbe(shell);
        control = new WorkerProcessControl(shell, java.time.Duration.ofSeconds(2));
    }

    @AfterEach
    void stopWorkers() {
        nodes.forEach(n -> control.stop(n.target()));
    }

    @AfterAll
    static void shutdown() {
        pool.close();
        nodes.forEach(EmbeddedSshNode::close);
    }

    @Test
    void probesSeveralNodesConcurrentlyWithLiveNumbers() {
        List<ProbeResult> results;
        try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            results =
                    nodes.stream()
                            .map(n -> CompletableFuture.supplyAsync(() -> probe.probe(n.target()), executor))
                            .toList()
                            .stream()
                            .map(CompletableFuture::join)
                            .toList();
        }
        assertThat(results).hasSize(3).allSatisfy(r -> {
            assertThat(r.processAlive()).isFalse();
            assertThat(r.pid()).isNull();
            assertThat(r.cpuUsage()).isBetween(0.0, 100.0);
            assertThat(r.memoryUsage()).isBetween(0.0, 100.0).isGreaterThan(0.0);
            assertThat(r.diskUsage()).isBetween(0.0, 100.0).isGreaterThan(0.0);
            assertThat(r.latencyMillis()).isGreaterThanOrEqualTo(0);
        });
        assertThat(pool.openSessions()).as("one reusable session per node").isEqualTo(3);
    }

    @Test
    void startIsIdempotentAndProbeSeesTheWorker() throws Exception {
        EmbeddedSshNode node = nodes.get(0);
        WorkerStatus first = control.start(node.target());
        assertThat(first.running()).isTrue();
        assertThat(processAlive(first.pid())).isTrue();
        assertThat(Files.readString(node.deployDir().resolve("run/worker-node.pid"))
                        .trim())
                .isEqualTo(first.pid().toString());

        assertThat(control.start(node.target()).pid())
                .as("second start is a no-op")
                .isEqualTo(first.pid());
        assertThat(control.status(node.target())).isEqualTo(new WorkerStatus(true, first.pid()));

        ProbeResult r = probe.probe(node.target());
        assertThat(r.processAlive()).isTrue();
        assertThat(r.pid()).isEqualTo(first.pid());
    }

    @Test
    void stopKillsOnlyTheWorkerAndIsIdempotent() throws Exception {
        EmbeddedSshNode node = nodes.get(1);
        long pid = control.start(node.target()).pid();
        // A bystander with the very same command line: a `pkill -f "sleep 300"` would take it down too.
        Process bystander = new ProcessBuilder("sleep", "300").start();
        try {
            assertThat(control.stop(node.target()).running()).isFalse();
            assertThat(processAlive(pid)).isFalse();
            assertThat(bystander.isAlive())
                    .as("unrelated process with the same command line survives")
                    .isTrue();
            assertThat(node.deployDir().resolve("run/worker-node.pid")).doesNotExist();
            assertThat(control.status(node.target()).running()).isFalse();

            assertThat(control.stop(node.target()).running())
                    .as("stopping a stopped worker is fine")
                    .isFalse();
            assertThat(probe.probe(node.target()).processAlive()).isFalse();
        } finally {
            bystander.destroyForcibly();
        }
    }

    @Test
    void restartGivesNewPidAndStalePidFileIsReplaced() throws Exception {
        EmbeddedSshNode node = nodes.get(2);
        long first = control.start(node.target()).pid();
        long second = control.restart(node.target()).pid();
        assertThat(second).isNotEqualTo(first);
        assertThat(processAlive(first)).isFalse();
        assertThat(processAlive(second)).isTrue();

        control.stop(node.target());
        // A pid file left behind by a crash, naming a process that no longer exists.
        Files.writeString(node.deployDir().resolve("run/worker-node.pid"), "999999999\n");
        assertThat(control.status(node.target()).running()).isFalse();
        WorkerStatus started = control.start(node.target());
        assertThat(started.pid()).isNotEqualTo(999999999L);
        assertThat(processAlive(started.pid())).isTrue();
    }

    @Test
    void startReportsAWorkerThatDiesImmediately() throws Exception {
        EmbeddedSshNode node = nodes.get(0);
        Path worker = node.deployDir().resolve("bin/worker-node");
        Files.writeString(worker, "#!/bin/sh\necho 'config missing: TEMPORAL_ADDRESS' >&2\nexit 2\n");
        // What an earlier agent logged (its shutdown, before an upgrade) is not this start's failure.
        Files.createDirectories(node.deployDir().resolve("logs"));
        Files.writeString(
                node.deployDir().resolve("logs/worker-node.log"),
                "INFO worker-node node-0 stopped (an earlier run)\n",
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> control.start(node.target()))
                    .isInstanceOfSatisfying(SshException.class, e -> {
                        assertThat(e.kind()).isEqualTo(SshException.Kind.COMMAND_FAILED);
                        assertThat(e.step()).isEqualTo("start");
                        assertThat(e.getMessage())
                                .contains("node-0", "config missing: TEMPORAL_ADDRESS")
                                .doesNotContain("an earlier run");
                    });
            assertThat(node.deployDir().resolve("run/worker-node.pid")).doesNotExist();
        } finally {
            installFakeWorker(node.deployDir());
        }
    }

    @Test
    void concurrentStartsYieldOneWorker() throws Exception {
        EmbeddedSshNode node = nodes.get(1);
        try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<WorkerStatus>> starts = IntStream.range(0, 4)
                    .mapToObj(i -> executor.submit(() -> control.start(node.target())))
                    .toList();
            java.util.Set<Long> pids = new java.util.HashSet<>();
            for (var f : starts) {
                pids.add(f.get().pid());
            }
            assertThat(pids).as("racing starts agree on a single worker").hasSize(1);
        }
    }

    @Test
    void argvIsQuotedEndToEnd() {
        String hostile = "it's $(touch /tmp/pwned) `id`; echo x";
        CommandResult r = shell.exec(nodes.get(2).target(), "status", List.of("printf", "%s", hostile), null);
        assertThat(r.ok()).isTrue();
        assertThat(r.stdout()).isEqualTo(hostile);
        assertThat(Path.of("/tmp/pwned")).doesNotExist();
    }

    @Test
    void poolIsBoundedPerServerAndSafeUnderConcurrency() throws Exception {
        EmbeddedSshNode node = nodes.get(0);
        try (SshSessionPool small = new SshSessionPool(
                        FAST.withMaxSessionsPerServer(2), new InMemoryHostKeyStore(), new Credentials());
                var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            RemoteShell s = new RemoteShell(small);
            java.util.concurrent.atomic.AtomicInteger maxOpen = new java.util.concurrent.atomic.AtomicInteger();
            List<java.util.concurrent.Future<String>> calls = IntStream.range(0, 20)
                    .mapToObj(i -> executor.submit(() -> {
                        String out = s.exec(node.target(), "status", List.of("echo", "call-" + i), null)
                                .stdout();
                        maxOpen.accumulateAndGet(small.openSessions(), Math::max);
                        return out;
                    }))
                    .toList();
            for (int i = 0; i < calls.size(); i++) {
                assertThat(calls.get(i).get()).isEqualTo("call-" + i + "\n");
            }
            assertThat(maxOpen.get()).isBetween(1, 2);
            assertThat(small.openSessions()).isBetween(1, 2);
        }
    }

    @Test
    void commandsToOneServerArePipelinedOverOneSession() throws Exception {
        EmbeddedSshNode node = nodes.get(1);
        Path barrier = node.deployDir().resolve("barrier");
        int callers = SshSessionPool.CHANNELS_PER_SESSION;
        // Each command marks that it started, then waits until every caller has: this finishes only if all of
        // them run at the same time, which one session allows only when its channels are multiplexed.
        String command = "mkdir -p " + barrier + " && touch " + barrier + "/$$ && i=0; "
                + "while [ $(ls " + barrier + " | wc -l) -lt " + callers
                + " ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; "
                + "[ $(ls " + barrier + " | wc -l) -ge " + callers + " ] && echo together";
        try (SshSessionPool single = new SshSessionPool(
                        FAST.withMaxSessionsPerServer(1), new InMemoryHostKeyStore(), new Credentials());
                var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            RemoteShell s = new RemoteShell(single);
            List<java.util.concurrent.Future<CommandResult>> calls = IntStream.range(0, callers)
                    .mapToObj(i -> executor.submit(
                            () -> s.exec(node.target(), "status", command, java.time.Duration.ofSeconds(30))))
                    .toList();
            for (var call : calls) {
                assertThat(call.get().stdout())
                        .as("every caller ran while the others did")
                        .isEqualTo("together\n");
            }
            assertThat(single.openSessions()).isEqualTo(1);
        }
    }
}
