package io.groupai.fleet.nodes.ssh;

/** Shell fragments shared by the probe and process control. POSIX sh only: servers may run dash or busybox. */
final class Scripts {

    private Scripts() {
    }

    /**
     * {@code alive PID}: the process exists and is not a zombie. {@code kill -0} alone reports zombies
     * as alive, which happens when the worker's parent (often PID 1 in containers) does not reap it.
     */
    static final String ALIVE_FN = """
            alive() {
              kill -0 "$1" 2>/dev/null || return 1
              st=$(sed -n 's/^.*) \\([A-Za-z]\\).*$/\\1/p' "/proc/$1/stat" 2>/dev/null)
              [ "$st" != Z ]
            }
            """;

    /** {@code read_pid FILE}: prints the digits of the pid file (at most 32 bytes), or nothing. */
    static final String READ_PID_FN = """
            read_pid() {
              [ -f "$1" ] && head -c 32 "$1" 2>/dev/null | tr -cd '0-9'
            }
            """;

    /** {@code pgid_of PID}: the process group, from /proc (no dependency on ps). */
    static final String PGID_FN = """
            pgid_of() {
              sed -n 's/^.*) [A-Za-z] [0-9]* \\([0-9]*\\) .*$/\\1/p' "/proc/$1/stat" 2>/dev/null
            }
            """;

    /** Assigns the quoted deploy dir to {@code d} and the pid file to {@code pf}. */
    static String header(SshTarget target) {
        return "d=" + ShellQuote.quote(target.deployDir()) + "\n"
                + "pf=\"$d/run/worker-node.pid\"\n";
    }
}
