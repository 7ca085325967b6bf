package io.groupai.fleet.nodes.ssh;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out how a server can run the agent (one remote command, {@link #detect}) and installs that
 * {@link NodeService} ({@link #install}): the node's systemd unit, written, {@code daemon-reload}ed and
 * enabled (the start is {@link WorkerProcessControl}'s), or none in pid-file mode. Whatever ran the agent
 * before in another mode is stopped first and its unit removed, so two agents never run.
 */
public final class NodeServiceInstaller {

    private static final Logger log = LoggerFactory.getLogger(NodeServiceInstaller.class);

    static final String STEP = "install service";

    /**
     * Where systemd keeps what this class reads and writes on a server. Only tests change them: this
     * project's test machine has no systemd, and its tests must not write into the real
     * {@code /etc/systemd/system}.
     */
    public record Paths(String systemdRuntimeDir, String systemUnitDir, String lingerDir) {
        public static final Paths DEFAULT =
                new Paths("/run/systemd/system", "/etc/systemd/system", "/var/lib/systemd/linger");
    }

    /** What was installed: the mode, the unit file (null in pid-file mode) and what was done, for the bootstrap step. */
    public record Installed(NodeService service, String unitPath, String detail) {}

    private final RemoteShell shell;
    private final WorkerProcessControl processes;
    private final Paths paths;

    public NodeServiceInstaller(RemoteShell shell, WorkerProcessControl processes) {
        this(shell, processes, Paths.DEFAULT);
    }

    public NodeServiceInstaller(RemoteShell shell, WorkerProcessControl processes, Paths paths) {
        this.shell = Objects.requireNonNull(shell, "shell");
        this.processes = Objects.requireNonNull(processes, "processes");
        this.paths = Objects.requireNonNull(paths, "paths");
    }

    public ServiceDetection detect(SshTarget target) {
        String script = Scripts.header(target)
                + Scripts.ALIVE_FN
                + Scripts.LOAD_PID_FN
                + Scripts.UNIT_STATE_FN
                + "rt=" + ShellQuote.quote(paths.systemdRuntimeDir()) + "\n"
                + "sysdir=" + ShellQuote.quote(paths.systemUnitDir()) + "\n"
                + "lingerdir=" + ShellQuote.quote(paths.lingerDir()) + "\n"
                + "unit=" + ShellQuote.quote(SystemdUnit.name(target.nodeId())) + "\n"
                + """
                u=$(id -u); un=$(id -un)
                echo "user=$un"
                if [ "$u" = 0 ]; then echo privilege=root
                elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then echo privilege=sudo
                else echo privilege=none; fi
                [ -e "$lingerdir/$un" ] && echo linger=1
                udir="${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user"
                echo "user_unit_dir=$udir"
                load_pid "$pf"
                if [ -n "$pid" ] && alive "$pid"; then echo "pidfile_pid=$pid"; fi
                if [ -d "$rt" ]; then
                  echo systemd_running=1
                  if command -v systemctl >/dev/null 2>&1; then
                    echo systemctl=1
                    scq=systemctl
                    if [ -f "$sysdir/$unit" ]; then echo system_unit=1; unit_state; echo "system_unit_pid=$pid"; fi
                    XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/run/user/$u}"; export XDG_RUNTIME_DIR
                    scq="systemctl --user"
                    if $scq show-environment >/dev/null 2>&1; then echo user_manager=1; fi
                    if [ -f "$udir/$unit" ]; then echo user_unit=1; unit_state; echo "user_unit_pid=$pid"; fi
                  fi
                fi
                true
                """;
        CommandResult r = shell.execChecked(target, STEP, script, null);
        ServiceDetection found = ServiceDetection.parse(paths.systemdRuntimeDir(), r.stdout());
        log.info("server {}: service manager: {}", target.nodeId(), found);
        return found;
    }

    /**
     * Installs {@code service} on a server as {@code found} describes it. Throws an {@link SshException}
     * naming server and step when a unit of another mode is installed that this user may not remove.
     */
    public Installed install(SshTarget target, NodeService service, ServiceDetection found) {
        List<String> done = new ArrayList<>();
        Long pidFileAgent = found.pidFileAgent();
        // A systemd-run agent writes the pid file too: only a process no unit runs is a pid-file agent.
        if (service.systemd()
                && pidFileAgent != null
                && !pidFileAgent.equals(found.systemUnitPid())
                && !pidFileAgent.equals(found.userUnitPid())) {
            processes.stop(target, NodeService.PIDFILE);
            done.add("stopped the pid-file agent (pid " + pidFileAgent + ")");
        }
        StringBuilder script = new StringBuilder(Scripts.header(target));
        if (service != NodeService.SYSTEMD && found.systemUnit()) {
            if ("none".equals(found.privilege())) {
                throw new SshException(
                        target.nodeId(),
                        STEP,
                        SshException.Kind.PERMISSION_DENIED,
                        "the system unit " + systemUnitPath(target) + " of an earlier bootstrap runs this node, and "
                                + found.user() + " may no longer stop or remove it (not root, `sudo -n` fails): "
                                + "remove it as root (see README, worker-node as a service) or allow sudo");
            }
            script.append(Scripts.systemctl(NodeService.SYSTEMD, target.nodeId()))
                    .append(removal("$asroot", "sysdir", paths.systemUnitDir()));
            done.add("removed " + systemUnitPath(target));
        }
        if (service != NodeService.SYSTEMD_USER && found.userUnit()) {
            script.append(Scripts.systemctl(NodeService.SYSTEMD_USER, target.nodeId()))
                    .append(USER_UNIT_DIR)
                    .append(removal("", "udir", null));
            done.add("removed the user unit " + SystemdUnit.name(target.nodeId()));
        }
        String unitPath = null;
        if (service.systemd()) {
            boolean user = service == NodeService.SYSTEMD_USER;
            unitPath = user ? found.userUnitDir() + "/" + SystemdUnit.name(target.nodeId()) : systemUnitPath(target);
            script.append(Scripts.systemctl(service, target.nodeId()));
            if (user) {
                script.append(USER_UNIT_DIR).append("mkdir -p \"$udir\" || exit 8\n");
            } else {
                script.append("udir=")
                        .append(ShellQuote.quote(paths.systemUnitDir()))
                        .append('\n');
            }
            script.append("mkdir -p \"$d/run\" || exit 4\n")
                    .append("tmp=\"$d/run/.unit.$$\"\n")
                    .append("cat > \"$tmp\" <<'GROUPAI_UNIT_EOF'\n")
                    .append(SystemdUnit.render(target, user, processes.stopGrace()))
                    .append("GROUPAI_UNIT_EOF\n")
                    .append("""
                            if ! $asroot install -m 0644 "$tmp" "$udir/$unit"; then
                              rm -f "$tmp"; echo "cannot write $udir/$unit" >&2; exit 8
                            fi
                            rm -f "$tmp"
                            if ! out=$($sc daemon-reload 2>&1); then echo "systemctl daemon-reload failed: $out" >&2; exit 9; fi
                            if ! out=$($sc enable "$unit" 2>&1); then echo "systemctl enable $unit failed: $out" >&2; exit 9; fi
                            """);
            done.add(0, "unit " + unitPath + " enabled");
        } else {
            done.add(0, "pid file " + target.pidFile());
        }
        if (script.length() > Scripts.header(target).length()) {
            shell.execChecked(target, STEP, script.toString(), null);
        }
        Installed installed = new Installed(service, unitPath, String.join("; ", done));
        log.info("server {}: {}", target.nodeId(), installed.detail());
        return installed;
    }

    private String systemUnitPath(SshTarget target) {
        return paths.systemUnitDir() + "/" + SystemdUnit.name(target.nodeId());
    }

    private static final String USER_UNIT_DIR = "udir=\"${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user\"\n";

    /** Stops, disables and deletes the unit in {@code $<dirVar>}, then reloads (the variables of {@link Scripts#systemctl}). */
    private static String removal(String prefix, String dirVar, String dir) {
        return (dir == null ? "" : dirVar + "=" + ShellQuote.quote(dir) + "\n") + """
                $sc stop "$unit" >/dev/null 2>&1
                $sc disable "$unit" >/dev/null 2>&1
                %s rm -f "$%s/$unit" || { echo "cannot remove $%s/$unit" >&2; exit 7; }
                $sc daemon-reload >/dev/null 2>&1
                """.formatted(prefix, dirVar, dirVar);
    }
}
