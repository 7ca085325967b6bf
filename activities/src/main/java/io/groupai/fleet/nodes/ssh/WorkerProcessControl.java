package io.groupai.fleet.nodes.ssh;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start / stop / restart / status of {@code <deployDir>/bin/worker-node}, by the node's {@link NodeService}.
 *
 * <p>Pid-file mode: through its pid file {@code <deployDir>/run/worker-node.pid}. The worker is started in
 * its own session ({@code setsid}), so stopping signals exactly its process group and nothing else on the
 * server: no {@code pkill -f}, no pattern matching.
 *
 * <p>systemd modes: {@code systemctl start|stop} of the node's unit ({@link SystemdUnit}), whose
 * {@code KillMode=control-group} stops the agent and everything it started; the pid is the unit's MainPID.
 *
 * <p>Every operation is idempotent, so Temporal may retry them freely.
 */
public final class WorkerProcessControl {

    private static final Logger log = LoggerFactory.getLogger(WorkerProcessControl.class);

    /** How long a freshly started worker must survive before start reports success. */
    static final String START_CHECK_DELAY = "0.3";

    private final RemoteShell shell;
    private final Duration stopGrace;

    /** @param stopGrace how long to wait after SIGTERM before SIGKILL */
    public WorkerProcessControl(RemoteShell shell, Duration stopGrace) {
        this.shell = Objects.requireNonNull(shell, "shell");
        this.stopGrace = Objects.requireNonNull(stopGrace, "stopGrace");
        if (stopGrace.isNegative() || stopGrace.toSeconds() > 600) {
            throw new IllegalArgumentException("stopGrace must be 0..600 s");
        }
    }

    public WorkerProcessControl(RemoteShell shell) {
        this(shell, Duration.ofSeconds(10));
    }

    public Duration stopGrace() {
        return stopGrace;
    }

    public WorkerStatus status(SshTarget target) {
        return status(target, NodeService.PIDFILE);
    }

    public WorkerStatus start(SshTarget target) {
        return start(target, NodeService.PIDFILE);
    }

    public WorkerStatus stop(SshTarget target) {
        return stop(target, NodeService.PIDFILE);
    }

    public WorkerStatus status(SshTarget target, NodeService service) {
        if (service.systemd()) {
            return running(shell.execChecked(target, "status", systemdStatus(target, service), null)
                    .stdout());
        }
        String script = Scripts.header(target) + Scripts.ALIVE_FN + Scripts.LOAD_PID_FN + """
                load_pid "$pf"
                if [ -n "$pid" ] && alive "$pid"; then echo "running=$pid"; else echo running=; fi
                """;
        return running(shell.execChecked(target, "status", script, null).stdout());
    }

    private static WorkerStatus running(String stdout) {
        return value(stdout, "running").map(pid -> new WorkerStatus(true, pid)).orElse(WorkerStatus.stopped());
    }

    /**
     * Starts the worker unless it runs. Pid-file mode: unless the pid file names a live process (a stale one
     * is replaced). systemd: {@code systemctl start} (a no-op on an active unit), then the unit must still be
     * active a moment later, else the failure carries its last journal lines.
     */
    public WorkerStatus start(SshTarget target, NodeService service) {
        if (service.systemd()) {
            CommandResult r = shell.execChecked(target, "start", systemdStart(target, service), null);
            Long pid = value(r.stdout(), "started").orElse(null);
            log.info("server {}: {} active, pid {}", target.nodeId(), SystemdUnit.name(target.nodeId()), pid);
            return new WorkerStatus(true, pid);
        }
        String script = Scripts.header(target)
                + Scripts.ALIVE_FN
                + Scripts.LOAD_PID_FN
                + Scripts.CONTROL_LOCK
                + """
                load_pid "$pf"
                if [ -n "$pid" ] && alive "$pid"; then echo "already=$pid"; exit 0; fi
                if [ ! -x "$d/bin/worker-node" ]; then echo "$d/bin/worker-node is missing or not executable" >&2; exit 3; fi
                mkdir -p "$d/run" "$d/logs" && cd "$d" || exit 4
                logged=$(wc -c < "$d/logs/worker-node.log" 2>/dev/null || echo 0)
                setsid nohup "$d/bin/worker-node" >> "$d/logs/worker-node.log" 2>&1 < /dev/null 9>&- &
                pid=$!
                echo "$pid" > run/worker-node.pid.tmp && mv -f run/worker-node.pid.tmp run/worker-node.pid || exit 4
                sleep %s
                if ! alive "$pid"; then
                  rm -f "$pf"
                  echo "worker-node exited right after start; what it logged:" >&2
                  # Only this start's lines: the log also holds the previous agent's (an upgrade stops it first).
                  tail -c +$((logged + 1)) "$d/logs/worker-node.log" | tail -n 20 >&2
                  exit 5
                fi
                echo "started=$pid"
                """.formatted(START_CHECK_DELAY);
        CommandResult r = shell.execChecked(target, "start", script, null);
        Optional<Long> already = value(r.stdout(), "already");
        if (already.isPresent()) {
            log.info("server {}: worker-node already running as pid {}", target.nodeId(), already.get());
            return new WorkerStatus(true, already.get());
        }
        long pid = value(r.stdout(), "started")
                .orElseThrow(() -> new SshException(
                        target.nodeId(),
                        "start",
                        SshException.Kind.COMMAND_FAILED,
                        "start script printed no pid: " + SshErrors.tail(r.stdout())));
        log.info("server {}: worker-node started as pid {}", target.nodeId(), pid);
        return new WorkerStatus(true, pid);
    }

    /**
     * SIGTERM to the worker's process group, up to {@code stopGrace} to exit, then SIGKILL; the pid
     * file is removed. A no-op when nothing runs. Signals the group only when the worker leads it
     * (as {@code setsid} arranges), so a pid file pointing elsewhere can never take down a foreign group.
     */
    public WorkerStatus stop(SshTarget target, NodeService service) {
        Duration timeout = stopGrace.plus(shell.pool().settings().commandTimeout());
        if (service.systemd()) {
            // systemctl waits for the unit's TimeoutStopSec (the same grace), then SIGKILLs the cgroup.
            shell.execChecked(target, "stop", systemdStop(target, service), timeout);
            log.info("server {}: {} stopped", target.nodeId(), SystemdUnit.name(target.nodeId()));
            return WorkerStatus.stopped();
        }
        long tenths = Math.max(1, stopGrace.toMillis() / 100);
        String script = Scripts.header(target)
                + Scripts.ALIVE_FN
                + Scripts.LOAD_PID_FN
                + Scripts.PGID_FN
                + Scripts.CONTROL_LOCK
                + """
                load_pid "$pf"
                if [ -z "$pid" ] || ! alive "$pid"; then rm -f "$pf"; echo stopped=; exit 0; fi
                # "kill -SIG -PGID" (no "--": dash's kill rejects it) signals the whole group the worker leads
                if [ "$(pgid_of "$pid")" = "$pid" ]; then sig_target="-$pid"; else sig_target="$pid"; fi
                kill -TERM "$sig_target" 2>/dev/null
                i=0
                while alive "$pid" && [ "$i" -lt %d ]; do sleep 0.1; i=$((i+1)); done
                if alive "$pid"; then
                  echo killed=1
                  kill -KILL "$sig_target" 2>/dev/null
                  i=0
                  while alive "$pid" && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i+1)); done
                fi
                if alive "$pid"; then echo "pid $pid survived SIGKILL" >&2; exit 6; fi
                rm -f "$pf"
                echo "stopped=$pid"
                """.formatted(tenths);
        CommandResult r = shell.execChecked(target, "stop", script, timeout);
        Optional<Long> stopped = value(r.stdout(), "stopped");
        if (stopped.isPresent()) {
            log.info(
                    "server {}: worker-node pid {} stopped{}",
                    target.nodeId(),
                    stopped.get(),
                    r.stdout().contains("killed=1") ? " (SIGKILL after grace period)" : "");
        }
        return WorkerStatus.stopped();
    }

    public WorkerStatus restart(SshTarget target) {
        return restart(target, NodeService.PIDFILE);
    }

    /** Stop (if running) then start: always yields a new process. */
    public WorkerStatus restart(SshTarget target, NodeService service) {
        stop(target, service);
        return start(target, service);
    }

    // The systemd modes' scripts; package-private for the test of which commands each mode runs.

    static String systemdStatus(SshTarget target, NodeService service) {
        return Scripts.header(target) + Scripts.systemctl(service, target.nodeId()) + Scripts.UNIT_STATE_FN + """
                unit_state
                echo "running=$pid"
                """;
    }

    static String systemdStart(SshTarget target, NodeService service) {
        return Scripts.header(target)
                + Scripts.systemctl(service, target.nodeId())
                + Scripts.UNIT_STATE_FN
                + Scripts.JOURNAL_TAIL_FN
                + """
                if ! out=$($sc start "$unit" 2>&1); then
                  echo "systemctl start $unit failed: $out" >&2; journal_tail; exit 5
                fi
                sleep %s
                state=$($scq is-active "$unit" 2>/dev/null)
                if [ "$state" != active ]; then
                  echo "$unit is ${state:-unknown} right after start; last log lines:" >&2; journal_tail; exit 5
                fi
                unit_state
                echo "started=$pid"
                """.formatted(START_CHECK_DELAY);
    }

    static String systemdStop(SshTarget target, NodeService service) {
        return Scripts.header(target)
                + Scripts.systemctl(service, target.nodeId())
                + Scripts.ALIVE_FN
                + Scripts.LOAD_PID_FN
                + """
                if ! out=$($sc stop "$unit" 2>&1); then echo "systemctl stop $unit failed: $out" >&2; exit 6; fi
                # the agent removes its pid file on a clean stop; a SIGKILL leaves it behind
                load_pid "$pf"
                if [ -n "$pid" ] && ! alive "$pid"; then rm -f "$pf"; fi
                echo stopped=
                """;
    }

    private static Optional<Long> value(String output, String key) {
        for (String line : output.split("\\R")) {
            if (line.startsWith(key + "=")) {
                String v = line.substring(key.length() + 1).strip();
                if (v.matches("\\d{1,18}")) {
                    return Optional.of(Long.parseLong(v));
                }
            }
        }
        return Optional.empty();
    }
}
