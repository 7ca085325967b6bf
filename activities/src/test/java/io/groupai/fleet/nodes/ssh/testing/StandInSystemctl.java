package io.groupai.fleet.nodes.ssh.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * <b>A stand-in for {@code systemctl}</b>, because the test machine's container has no systemd as PID 1
 * and a real {@code systemctl} cannot run a unit there. It records every call's arguments and behaves like
 * a tiny manager for units in its own {@link #unitDir()}: {@code start} runs the unit's {@code ExecStart}
 * in the {@code WorkingDirectory} in a session of its own and writes the pid file as the real agent does;
 * {@code stop} signals that process group; {@code is-active} and {@code show -p ActiveState -p MainPID}
 * answer from it; {@code daemon-reload}, {@code enable} and {@code disable} only record. No user manager
 * ({@code show-environment} fails). A test puts {@link #binDir()} first on the SSH user's PATH
 * ({@link #sshdConfig()} for {@link OpenSshServer#start(Path, List)}).
 */
public final class StandInSystemctl {

    private final Path bin;
    private final Path state;
    private final Path units;

    private StandInSystemctl(Path bin, Path state, Path units) {
        this.bin = bin;
        this.state = state;
        this.units = units;
    }

    public static StandInSystemctl create(Path dir) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("stand-in-bin"));
        Path state = Files.createDirectories(dir.resolve("stand-in-state"));
        Path units = Files.createDirectories(dir.resolve("stand-in-units"));
        Path systemctl = bin.resolve("systemctl");
        Files.writeString(systemctl, """
                #!/bin/sh
                # STAND-IN for systemctl (tests only): this container has no systemd as PID 1.
                state='%s'; units='%s'
                echo "$*" >> "$state/calls"
                [ "$1" = --user ] && shift
                cmd=$1; shift
                for a in "$@"; do unit=$a; done
                pidf="$state/$unit.pid"
                running() { [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; }
                case "$cmd" in
                  daemon-reload|enable|disable) exit 0 ;;
                  start)
                    running && exit 0
                    [ -f "$units/$unit" ] || { echo "Unit $unit not found." >&2; exit 5; }
                    exec_start=$(sed -n 's/^ExecStart=//p' "$units/$unit")
                    wd=$(sed -n 's/^WorkingDirectory=//p' "$units/$unit")
                    cd "$wd" || exit 1
                    setsid $exec_start > /dev/null 2>&1 < /dev/null &
                    echo $! > "$pidf"
                    mkdir -p "$wd/run" && echo $! > "$wd/run/worker-node.pid"
                    ;;
                  stop) if running; then kill -TERM -"$(cat "$pidf")" 2>/dev/null; sleep 0.2; fi; rm -f "$pidf" ;;
                  is-active) if running; then echo active; else echo inactive; exit 3; fi ;;
                  show) if running; then echo ActiveState=active; echo "MainPID=$(cat "$pidf")"
                        else echo ActiveState=inactive; echo MainPID=0; fi ;;
                  show-environment) exit 1 ;;
                  *) echo "stand-in systemctl: $cmd is not supported" >&2; exit 1 ;;
                esac
                """.formatted(state, units));
        Files.setPosixFilePermissions(systemctl, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new StandInSystemctl(bin, state, units);
    }

    public Path binDir() {
        return bin;
    }

    /** Where the stand-in reads units from: give it as the system unit directory. */
    public Path unitDir() {
        return units;
    }

    /** The sshd_config line that puts the stand-in first on the PATH of every session's commands. */
    public List<String> sshdConfig() {
        return List.of("SetEnv PATH=" + bin + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    }

    /** Every call's arguments, in order. */
    public List<String> calls() throws IOException {
        Path calls = state.resolve("calls");
        return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
    }
}
