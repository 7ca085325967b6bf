package io.groupai.fleet.app.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's worker-node agents as local processes, found through their pid files
 * {@code <demo dir>/<node>/deploy/run/worker-node.pid}. The demo's nodes live on this machine, so
 * the app stops their agents directly, without its database or SSH: that works while the app shuts
 * down and after a run that was killed (SIGKILL) left its agents behind. A pid is only signalled
 * when {@code /proc/<pid>/cmdline} names that node's deploy directory, so a pid reused by some
 * other process is never touched.
 */
final class DemoAgentProcesses {

    private static final Logger log = LoggerFactory.getLogger(DemoAgentProcesses.class);
    static final Path PID_FILE = Path.of("deploy", "run", "worker-node.pid");

    private final Path demoDir;
    private final long graceMillis;

    /**
     * @param demoDir     the directory holding one directory per demo node
     * @param graceMillis how long an agent may take to stop after SIGTERM before it gets SIGKILL
     *                    (its own shutdown waits up to 10 s for running activities)
     */
    DemoAgentProcesses(Path demoDir, long graceMillis) {
        this.demoDir = demoDir.toAbsolutePath().normalize();
        this.graceMillis = graceMillis;
    }

    /** A running agent of a demo node: its pid and the node directory it belongs to. */
    record Agent(Path nodeDir, ProcessHandle process) {}

    /** The agents of every node directory whose pid file names a live process of that node. */
    List<Agent> running() {
        List<Agent> agents = new ArrayList<>();
        if (!Files.isDirectory(demoDir)) {
            return agents;
        }
        try (DirectoryStream<Path> nodes = Files.newDirectoryStream(demoDir, Files::isDirectory)) {
            for (Path nodeDir : nodes) {
                agentOf(nodeDir).ifPresent(process -> agents.add(new Agent(nodeDir, process)));
            }
        } catch (IOException e) {
            log.warn("cannot list the demo node directories in {}: {}", demoDir, e.toString());
        }
        return agents;
    }

    /**
     * Stops every agent found: SIGTERM to all at once (each runs its own clean shutdown), then
     * SIGKILL to those still alive after the grace period. Removes their pid files and stale ones.
     * Returns how many agents were stopped.
     */
    int stopAll(String why) {
        List<Agent> agents = running();
        for (Agent agent : agents) {
            log.info(
                    "stopping the worker-node agent of demo node {} (pid {}): {}",
                    agent.nodeDir().getFileName(),
                    agent.process().pid(),
                    why);
            agent.process().destroy();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        for (Agent agent : agents) {
            long left = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            if (!awaitExit(agent.process(), left)) {
                log.warn(
                        "the worker-node agent of demo node {} (pid {}) did not stop within {} ms: killing it",
                        agent.nodeDir().getFileName(),
                        agent.process().pid(),
                        graceMillis);
                agent.process().descendants().forEach(ProcessHandle::destroyForcibly);
                agent.process().destroyForcibly();
                awaitExit(agent.process(), 5_000);
            }
            deleteQuietly(agent.nodeDir().resolve(PID_FILE));
        }
        return agents.size();
    }

    /** The live process the node's pid file names, when it runs from this node's deploy directory. */
    private Optional<ProcessHandle> agentOf(Path nodeDir) {
        Path pidFile = nodeDir.resolve(PID_FILE);
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile).strip());
        } catch (IOException | NumberFormatException e) {
            log.warn("ignoring unreadable pid file {}: {}", pidFile, e.toString());
            deleteQuietly(pidFile);
            return Optional.empty();
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        Path deployDir = nodeDir.resolve("deploy");
        if (process.isPresent() && runsFrom(commandLine(pid), deployDir)) {
            return process;
        }
        if (process.isPresent()) {
            log.info(
                    "pid file {} names pid {}, which is not a worker-node agent of {}: left alone",
                    pidFile,
                    pid,
                    deployDir);
        }
        deleteQuietly(pidFile); // stale: its process is gone or the pid was reused
        return Optional.empty();
    }

    /** The launcher names the deploy dir by its physical path ({@code pwd -P}): accept either spelling. */
    private static boolean runsFrom(String commandLine, Path deployDir) {
        if (commandLine.contains(deployDir + "/")) {
            return true;
        }
        try {
            return commandLine.contains(deployDir.toRealPath() + "/");
        } catch (IOException e) {
            return false;
        }
    }

    /** The process's arguments joined by spaces; empty when unreadable (then it is not ours to stop). */
    private static String commandLine(long pid) {
        try {
            return new String(
                            Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException e) {
            return ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElse("");
        }
    }

    private static boolean awaitExit(ProcessHandle process, long millis) {
        try {
            process.onExit().get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        } catch (ExecutionException e) {
            return !process.isAlive();
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("cannot remove pid file {}: {}", file, e.toString());
        }
    }
}
