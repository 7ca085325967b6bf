package io.groupai.fleet.nodes.ssh;

/** Shell fragments shared by the probe and process control. POSIX sh only: servers may run dash or busybox. */
final class Scripts {

    private Scripts() {}

    // The functions use shell builtins only (read, kill, case, parameter expansion): a probe runs on
    // every server every few seconds, and each external command is a fork on that server.

    /**
     * {@code alive PID}: the process exists and is not a zombie. {@code kill -0} alone reports zombies
     * as alive, which happens when the worker's parent (often PID 1 in containers) does not reap it.
     */
    static final String ALIVE_FN = """
            alive() {
              kill -0 "$1" 2>/dev/null || return 1
              st=
              { read -r st < "/proc/$1/stat"; } 2>/dev/null
              st=${st##*) }
              st=${st%% *}
              [ "$st" != Z ]
            }
            """;

    /** {@code load_pid FILE}: sets {@code pid} to the number in the pid file, or to empty. */
    static final String LOAD_PID_FN = """
            load_pid() {
              pid=
              [ -f "$1" ] && { read -r pid < "$1"; } 2>/dev/null
              case "$pid" in ''|*[!0-9]*) pid= ;; esac
            }
            """;

    /** {@code pgid_of PID}: prints the process group, from /proc/PID/stat (field 5; no dependency on ps). */
    static final String PGID_FN = """
            pgid_of() {
              s=
              { read -r s < "/proc/$1/stat"; } 2>/dev/null
              s=${s##*) }
              set -- $s
              echo "$3"
            }
            """;

    /**
     * Serializes start/stop/restart on one server (two activities racing could otherwise start two
     * workers). Uses flock(1) where present; the lock dies with the shell. The worker must not inherit
     * fd 9, or it would hold the lock for its whole life.
     */
    static final String CONTROL_LOCK = """
            if command -v flock >/dev/null 2>&1; then
              mkdir -p "$d/run" || exit 4
              exec 9>"$d/run/.control.lock"
              flock -w 20 9 || { echo "another start/stop on this server holds $d/run/.control.lock" >&2; exit 7; }
            fi
            """;

    /**
     * Sets {@code unit} and the commands for it: {@code scq} (queries, which need no privileges), {@code sc}
     * (changes: root runs them directly, another user through {@code sudo -n}, or the user's own manager),
     * {@code asroot} (the prefix for writing a system unit) and {@code jc} (its journal).
     */
    static String systemctl(NodeService service, String nodeId) {
        String unit = "unit=" + ShellQuote.quote(SystemdUnit.name(nodeId)) + "\n";
        return unit + (service == NodeService.SYSTEMD_USER ? SYSTEMCTL_USER : SYSTEMCTL_SYSTEM);
    }

    static final String SYSTEMCTL_SYSTEM = """
            scq=systemctl
            if [ "$(id -u)" = 0 ]; then asroot=; else asroot="sudo -n"; fi
            sc="${asroot:+$asroot }systemctl"; jc="${asroot:+$asroot }journalctl"
            """;

    /** A non-interactive SSH command may lack XDG_RUNTIME_DIR, which systemctl --user needs to find its manager. */
    static final String SYSTEMCTL_USER = """
            XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/run/user/$(id -u)}"; export XDG_RUNTIME_DIR
            asroot=; scq="systemctl --user"; sc="$scq"; jc="journalctl --user"
            """;

    /** {@code unit_state}: sets {@code st} (ActiveState) and {@code pid} (MainPID while active, else empty) in one query. */
    static final String UNIT_STATE_FN = """
            unit_state() {
              st=; pid=
              for kv in $($scq show -p ActiveState -p MainPID "$unit" 2>/dev/null); do
                case "$kv" in ActiveState=*) st=${kv#*=} ;; MainPID=*) pid=${kv#*=} ;; esac
              done
              case "$pid" in ''|0|*[!0-9]*) pid= ;; esac
              [ "$st" = active ] || pid=
            }
            """;

    /** {@code journal_tail}: the unit's last journal lines on stderr, else the agent's own log. */
    static final String JOURNAL_TAIL_FN = """
            journal_tail() {
              { $jc -u "$unit" -n 20 --no-pager 2>/dev/null || tail -n 20 "$d/logs/worker-node.log" 2>/dev/null; } >&2
            }
            """;

    /** Assigns the quoted deploy dir to {@code d} and the pid file to {@code pf}. */
    static String header(SshTarget target) {
        return "d=" + ShellQuote.quote(target.deployDir()) + "\n" + "pf=\"$d/run/worker-node.pid\"\n";
    }
}
