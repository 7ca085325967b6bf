package io.groupai.fleet.router;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health checks (GET {base_url}{health_path} every health_check_interval, health_check_timeout;
 * any answer below 500 means the instance is up) and managed instances: those with a
 * launch_command are started with the pool and, with auto_restart, started again when their
 * process dies or fails three checks in a row (checks during its first startup_timeout do not
 * count), with an exponential backoff (1 s .. 60 s).
 * Runs on the pool's one supervisor thread; the checks themselves are asynchronous.
 */
final class Supervisor {

    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    private static final int FAILED_CHECKS_BEFORE_RESTART = 3;

    private final RoutingPool rp;
    private final Map<String, State> states = new ConcurrentHashMap<>();

    private static final class State {
        volatile long nextCheck;
        volatile boolean checking;
        volatile int failedChecks;
        Process process;
        volatile long launchedAt;
        long nextRestart;
        Duration backoff = Duration.ofSeconds(1);
        int restarts;
    }

    Supervisor(RoutingPool rp) {
        this.rp = rp;
    }

    private State state(Instance i) {
        return states.computeIfAbsent(i.id(), k -> new State());
    }

    /** Starts the managed instances that are not running (at start and after a reload). */
    synchronized void startManaged() {
        for (Instance i : rp.pool().instances()) {
            State s = state(i);
            if (i.account().managed() && i.enabled() && (s.process == null)) {
                launch(i, s);
            }
        }
    }

    synchronized void tick() {
        long now = System.nanoTime();
        RouterConfig.Router cfg = rp.config().router();
        for (Instance i : rp.pool().instances()) {
            State s = state(i);
            if (i.account().managed()) {
                superviseProcess(i, s, now, cfg);
            }
            if (!s.checking && now - s.nextCheck >= 0) {
                s.checking = true;
                s.nextCheck = now + Math.max(cfg.healthCheckInterval().toNanos(), 1_000_000_000L);
                check(i, s, cfg);
            }
        }
    }

    private void superviseProcess(Instance i, State s, long now, RouterConfig.Router cfg) {
        Process p = s.process;
        if (p == null || !i.enabled()) {
            return;
        }
        boolean dead = !p.isAlive();
        boolean stuck = !dead && s.failedChecks >= FAILED_CHECKS_BEFORE_RESTART;
        if (!dead && !stuck) {
            return;
        }
        if (!cfg.autoRestart()) {
            if (dead && i.status(now) != Instance.Status.UNHEALTHY) {
                i.setStatus(
                        Instance.Status.UNHEALTHY, "process exited with " + p.exitValue() + "; auto_restart is off");
            }
            return;
        }
        if (s.nextRestart != 0 && now - s.nextRestart < 0) {
            return;
        }
        String why = dead ? "process exited with " + p.exitValue() : s.failedChecks + " failed health checks";
        if (stuck) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        log.warn(
                "instance {}: {}; restarting (restart #{}, next backoff {} s)",
                i.id(),
                why,
                s.restarts + 1,
                s.backoff.toSeconds());
        s.restarts++;
        s.nextRestart = now + s.backoff.toNanos();
        s.backoff = s.backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : s.backoff.multipliedBy(2);
        s.failedChecks = 0;
        launch(i, s);
    }

    private void launch(Instance i, State s) {
        try {
            Path logDir = rp.resolve("logs");
            Files.createDirectories(logDir);
            File out = logDir.resolve("instance-" + i.id() + ".log").toFile();
            ProcessBuilder pb = new ProcessBuilder(i.account().launchCommand())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out));
            Path dir = rp.resolve(".");
            pb.directory(dir.toFile());
            pb.environment().put("ROUTER_INSTANCE_ID", i.id());
            pb.environment().put("ROUTER_INSTANCE_PORT", Integer.toString(i.port));
            s.process = pb.start();
            s.launchedAt = System.nanoTime();
            i.setStatus(Instance.Status.STARTING, "launched, pid " + s.process.pid() + ", output in " + out);
            s.nextCheck = System.nanoTime() + 500_000_000L; // look soon: starting instances are skipped
        } catch (IOException e) {
            s.process = null;
            i.setStatus(Instance.Status.UNHEALTHY, "cannot launch: " + e.getMessage());
        }
    }

    private void check(Instance i, State s, RouterConfig.Router cfg) {
        Duration timeout = cfg.healthCheckTimeout().isZero() ? Duration.ofSeconds(5) : cfg.healthCheckTimeout();
        String base = i.account().baseUrl().replaceAll("/v1$", "");
        HttpRequest req;
        try {
            req = HttpRequest.newBuilder(URI.create(base + cfg.healthPath()))
                    .timeout(timeout)
                    .GET()
                    .build();
        } catch (IllegalArgumentException e) {
            s.checking = false;
            i.healthResult(false, "bad health URL: " + e.getMessage());
            return;
        }
        rp.http().sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
            s.checking = false;
            if (e == null && r.statusCode() < 500) {
                s.failedChecks = 0;
                s.backoff = Duration.ofSeconds(1);
                i.healthResult(true, null);
            } else {
                boolean booting = i.status(System.nanoTime()) == Instance.Status.STARTING
                        && System.nanoTime() - s.launchedAt
                                < cfg.startupTimeout().toNanos();
                if (!booting) { // a process still starting up is not failing yet
                    s.failedChecks++;
                }
                i.healthResult(false, e != null ? "no answer: " + describe(e) : "HTTP " + r.statusCode());
            }
        });
    }

    /** The most telling message in a chain (the JDK client wraps "connection refused" several times). */
    static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.http.HttpTimeoutException) {
                return "timed out";
            }
            if (t instanceof java.net.ConnectException) {
                return "connection refused";
            }
        }
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    void describe(Instance i, ObjectNode n) {
        State s = states.get(i.id());
        if (s != null && i.account().managed()) {
            Process p = s.process;
            n.put("managed", true);
            if (p != null && p.isAlive()) {
                n.put("pid", p.pid());
            }
            n.put("restarts", s.restarts);
        }
    }

    synchronized void removed(Instance i) {
        State s = states.remove(i.id());
        if (s != null && s.process != null) {
            stop(i.id(), s.process);
        }
    }

    synchronized void stopAll() {
        states.forEach((id, s) -> {
            if (s.process != null) {
                stop(id, s.process);
            }
        });
    }

    private static void stop(String id, Process p) {
        if (p.isAlive()) {
            log.info("stopping instance {} (pid {})", id, p.pid());
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
    }
}
