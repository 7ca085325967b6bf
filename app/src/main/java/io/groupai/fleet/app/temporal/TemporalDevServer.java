package io.groupai.fleet.app.temporal;

import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real Temporal server of the Temporal CLI ({@code temporal server start-dev}), run as a child
 * process: it persists to a SQLite file, so workflows survive restarts, and it has Schedules,
 * visibility (workflow lists and search attribute queries) and the Web UI. Its pid goes to
 * {@code temporal.pid} and its output to {@code temporal.log}, both next to the database file. A
 * dev server left running by an earlier start (the app was killed) is adopted: this instance then
 * owns its shutdown.
 */
public final class TemporalDevServer implements EmbeddedTemporal {

    private static final Logger log = LoggerFactory.getLogger(TemporalDevServer.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    /**
     * @param cli          the temporal binary
     * @param bindAddress  where gRPC and the UI listen (loopback by default)
     * @param port         gRPC port; 0 picks a free one
     * @param uiPort       Web UI port; 0 picks a free one
     * @param dir          holds temporal.db, temporal.pid and temporal.log
     * @param namespace    created at launch when it is not "default" (which always exists)
     * @param startTimeout how long to wait for the namespace to answer
     */
    public record Settings(
            Path cli, String bindAddress, int port, int uiPort, Path dir, String namespace, Duration startTimeout) {}

    private final ProcessHandle process;
    private final String target;
    private final String uiUrl;
    private final Path pidFile;
    private final AtomicBoolean closed = new AtomicBoolean();

    private TemporalDevServer(ProcessHandle process, String target, String uiUrl, Path pidFile) {
        this.process = process;
        this.target = target;
        this.uiUrl = uiUrl;
        this.pidFile = pidFile;
    }

    public static TemporalDevServer start(Settings settings) {
        String host = settings.bindAddress();
        int port = settings.port() == 0 ? freePort(host) : settings.port();
        int uiPort = settings.uiPort() == 0 ? freePort(host) : settings.uiPort();
        String target = hostPort(host, port);
        String uiUrl = "http://" + hostPort(host, uiPort);
        Path dir = settings.dir().toAbsolutePath().normalize();
        Path pidFile = dir.resolve("temporal.pid");
        Path logFile = dir.resolve("temporal.log");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + " for the Temporal dev server", e);
        }

        if (listening(host, port)) {
            Optional<ProcessHandle> earlier = recordedDevServer(pidFile);
            if (earlier.isPresent() && healthy(target, settings.namespace(), Duration.ofSeconds(5))) {
                log.info(
                        "adopted the Temporal dev server left running by an earlier start (pid {}, {})",
                        earlier.get().pid(),
                        target);
                return new TemporalDevServer(earlier.get(), target, uiUrl, pidFile);
            }
            throw new IllegalStateException(
                    target + " is already taken by another process, not by a healthy Temporal dev "
                            + "server this app started (recorded in " + pidFile
                            + "). Stop that process, or set TEMPORAL_ADDRESS="
                            + target
                            + " if it is a Temporal server you want to use, or set GROUPAI_TEMPORAL_PORT to a free port");
        }

        Optional<ProcessHandle> stray = recordedDevServer(pidFile);
        if (stray.isPresent()) {
            // A second server on the same SQLite file would corrupt it.
            throw new IllegalStateException("the Temporal dev server of an earlier start (pid "
                    + stray.get().pid()
                    + ", see " + pidFile + ") is still running but does not answer on " + target + "; stop it (kill "
                    + stray.get().pid() + ") or set GROUPAI_TEMPORAL_PORT to the port it listens on");
        }
        List<String> command = new ArrayList<>(List.of(
                settings.cli().toString(),
                "server",
                "start-dev",
                "--ip",
                host,
                "--port",
                Integer.toString(port),
                "--ui-ip",
                host,
                "--ui-port",
                Integer.toString(uiPort),
                "--db-filename",
                dir.resolve("temporal.db").toString()));
        if (!"default".equals(settings.namespace())) {
            command.addAll(List.of("--namespace", settings.namespace()));
        }
        Process child;
        try {
            child = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            Files.writeString(pidFile, child.pid() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + settings.cli() + " server start-dev", e);
        }
        TemporalDevServer server = new TemporalDevServer(child.toHandle(), target, uiUrl, pidFile);
        long startedNanos = System.nanoTime();
        Instant deadline = Instant.now().plus(settings.startTimeout());
        while (!healthy(target, settings.namespace(), Duration.ofSeconds(2))) {
            if (!child.isAlive() || Instant.now().isAfter(deadline)) {
                server.close();
                throw new IllegalStateException("the Temporal dev server (" + String.join(" ", command) + ") "
                        + (child.isAlive() ? "did not answer within " + settings.startTimeout() : "exited")
                        + "; its output is in " + logFile + ":\n" + tail(logFile));
            }
            sleep(Duration.ofMillis(200));
        }
        log.info(
                "Temporal dev server (pid {}) answering on {} after {} ms, database {}, output in {}",
                child.pid(),
                target,
                (System.nanoTime() - startedNanos) / 1_000_000,
                dir.resolve("temporal.db"),
                logFile);
        return server;
    }

    @Override
    public String description() {
        return "Temporal dev server (temporal server start-dev, pid " + process.pid() + ")";
    }

    @Override
    public String target() {
        return target;
    }

    @Override
    public Optional<String> uiUrl() {
        return Optional.of(uiUrl);
    }

    @Override
    public boolean fullServer() {
        return true;
    }

    public long pid() {
        return process.pid();
    }

    /** SIGTERM, then SIGKILL after 15 s; removes the pid file. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (process.isAlive()) {
            process.destroy();
            try {
                process.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                log.warn(
                        "the Temporal dev server (pid {}) did not stop within {}; killing it",
                        process.pid(),
                        STOP_TIMEOUT);
                process.destroyForcibly();
            } catch (ExecutionException e) {
                process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", pidFile, e.toString());
        }
        log.info("Temporal dev server (pid {}) stopped", process.pid());
    }

    /** The live temporal process named in the pid file, if any. */
    private static Optional<ProcessHandle> recordedDevServer(Path pidFile) {
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(p -> p.info()
                            .command()
                            .map(c -> Path.of(c).getFileName().toString().startsWith("temporal"))
                            .orElse(false));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Answers for the namespace: the frontend is up and the namespace is registered. */
    static boolean healthy(String target, String namespace, Duration timeout) {
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
        try {
            stubs.blockingStub()
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .describeNamespace(DescribeNamespaceRequest.newBuilder()
                            .setNamespace(namespace)
                            .build());
            return true;
        } catch (RuntimeException e) {
            return false;
        } finally {
            stubs.shutdownNow();
        }
    }

    private static boolean listening(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(host, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + host, e);
        }
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static String tail(Path logFile) {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read it: " + e + ")";
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Temporal dev server", e);
        }
    }
}
