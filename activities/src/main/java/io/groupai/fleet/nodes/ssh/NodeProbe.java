package io.groupai.fleet.nodes.ssh;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Health probe of a server in one SSH exec: worker process alive (pid-file mode: the pid file +
 * {@code kill -0}; systemd modes: the unit is active and its MainPID lives), CPU (two /proc/stat samples
 * 200 ms apart), memory (/proc/meminfo), disk of the deploy dir ({@code df -P}), plus the round-trip
 * latency of a trivial command on the pooled session. Never uses pgrep: the pid file or the unit names
 * exactly the process we started.
 */
public final class NodeProbe {

    static final String CPU_SAMPLE_DELAY = "0.2";

    private final RemoteShell shell;
    private final Clock clock;

    public NodeProbe(RemoteShell shell) {
        this(shell, Clock.systemUTC());
    }

    public NodeProbe(RemoteShell shell, Clock clock) {
        this.shell = Objects.requireNonNull(shell, "shell");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public ProbeResult probe(SshTarget target) {
        return probe(target, NodeService.PIDFILE);
    }

    public ProbeResult probe(SshTarget target, NodeService service) {
        Duration timeout = shell.pool().settings().commandTimeout();
        CommandResult ping = shell.execChecked(target, "probe", "true", timeout);
        CommandResult result = shell.exec(target, "probe", script(target, service), timeout);
        if (!result.ok()) {
            throw RemoteShell.failure(target, "probe", result);
        }
        return ProbeOutputParser.parse(
                target.nodeId(), result.stdout(), ping.elapsed().toMillis(), clock.instant());
    }

    /** The probe script; public for documentation and the parser test. */
    static String script(SshTarget target, NodeService service) {
        String process = service.systemd()
                ? Scripts.systemctl(service, target.nodeId()) + Scripts.UNIT_STATE_FN + "unit_state\n"
                : Scripts.LOAD_PID_FN + "load_pid \"$pf\"\n";
        return Scripts.header(target) + Scripts.ALIVE_FN + process + """
                echo "pid=$pid"
                if [ -n "$pid" ] && alive "$pid"; then echo alive=1; else echo alive=0; fi
                read -r c < /proc/stat
                echo "cpu1=$c"
                sleep %s
                read -r c < /proc/stat
                echo "cpu2=$c"
                while read -r k v _; do
                  case "$k" in MemTotal:|MemAvailable:|MemFree:|Buffers:|Cached:) echo "$k $v" ;; esac
                done < /proc/meminfo
                p="$d"
                while [ ! -e "$p" ]; do p=$(dirname "$p"); done
                df -P "$p" | { read -r _; read -r l; echo "df=$l"; }
                """.formatted(CPU_SAMPLE_DELAY);
    }
}
