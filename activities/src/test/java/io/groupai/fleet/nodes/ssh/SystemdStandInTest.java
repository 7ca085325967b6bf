package io.groupai.fleet.nodes.ssh;

import static io.groupai.fleet.nodes.ssh.SshTestSupport.FAST;
import static io.groupai.fleet.nodes.ssh.SshTestSupport.installFakeWorker;
import static io.groupai.fleet.nodes.ssh.SshTestSupport.processAlive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.groupai.fleet.nodes.ssh.testing.OpenSshServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The systemd mode's commands really running over SSH, against a real OpenSSH server.
 *
 * <p><b>Stand-in:</b> this container has no systemd as PID 1, so no real {@code systemctl} can run a unit
 * here. The sshd of this test puts a small fake {@code systemctl} first on the PATH of the SSH user's
 * commands ({@code SetEnv PATH=...}). It records its arguments and runs the unit's {@code ExecStart} in its
 * own session, writing the pid file as the real agent does; the "systemd runs" marker and the system unit
 * directory are temporary directories, so nothing of this machine's systemd is touched. What is real: the
 * detection and install scripts, the start/stop/status/probe scripts and the pid-file agent they replace.
 */
class SystemdStandInTest {

    @TempDir
    static Path dir;

    static OpenSshServer sshd;
    static SshSessionPool pool;
    static RemoteShell shell;
    static Path calls;
    static Path unitDir;
    static NodeServiceInstaller.Paths paths;

    @BeforeAll
    static void start() throws Exception {
        OpenSshServer.unavailable().ifPresent(why -> assumeTrue(false, why));
        Path bin = Files.createDirectories(dir.resolve("fake-bin"));
        Path state = Files.createDirectories(dir.resolve("fake-state"));
        unitDir = Files.createDirectories(dir.resolve("etc-systemd-system"));
        calls = state.resolve("calls");
        Path systemctl = bin.resolve("systemctl");
        Files.writeString(systemctl, """
                #!/bin/sh
                # STAND-IN for systemctl (SystemdStandInTest): this container has no systemd as PID 1.
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
                """.formatted(state, unitDir));
        Files.setPosixFilePermissions(systemctl, PosixFilePermissions.fromString("rwxr-xr-x"));
        sshd = OpenSshServer.start(
                Files.createDirectories(dir.resolve("sshd")),
                List.of("SetEnv PATH=" + bin + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
        byte[] key = sshd.privateKeyPem().getBytes(StandardCharsets.US_ASCII);
        pool = new SshSessionPool(FAST, new InMemoryHostKeyStore(), nodeId -> new SshCredentials.PrivateKey(key, null));
        shell = new RemoteShell(pool);
        paths = new NodeServiceInstaller.Paths(
                Files.createDirectories(dir.resolve("run-systemd-system")).toString(),
                unitDir.toString(),
                dir.resolve("linger").toString());
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (pool != null) {
            pool.close();
        }
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void switchingToSystemdStopsThePidFileAgentThenTheUnitRunsIsProbedAndStopped() throws Exception {
        SshTarget target = target("standin-1");
        installFakeWorker(Path.of(target.deployDir()));
        WorkerProcessControl control = new WorkerProcessControl(shell, Duration.ofSeconds(2));
        NodeServiceInstaller installer = new NodeServiceInstaller(shell, control, paths);
        NodeProbe probe = new NodeProbe(shell);
        long pidFileAgent = control.start(target, NodeService.PIDFILE).pid();

        ServiceDetection found = installer.detect(target);
        assertThat(found.systemdRunning()).isTrue();
        assertThat(found.pidFileAgent()).isEqualTo(pidFileAgent);
        ServiceDetection.Choice choice = found.choose("auto");
        assumeTrue(choice.service() == NodeService.SYSTEMD, "needs the SSH user to be root here: " + choice.why());

        NodeServiceInstaller.Installed installed = installer.install(target, NodeService.SYSTEMD, found);
        // Two agents never run: the pid-file one is gone before the unit can start.
        assertThat(processAlive(pidFileAgent)).isFalse();
        assertThat(installed.detail()).contains("stopped the pid-file agent (pid " + pidFileAgent + ")");
        Path unitFile = unitDir.resolve("groupai-node-standin-1.service");
        assertThat(installed.unitPath()).isEqualTo(unitFile.toString());
        assertThat(Files.readString(unitFile)).isEqualTo(SystemdUnit.render(target, false, Duration.ofSeconds(2)));
        assertThat(Files.getPosixFilePermissions(unitFile)).isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));

        long unitPid = control.start(target, NodeService.SYSTEMD).pid();
        assertThat(processAlive(unitPid)).isTrue();
        assertThat(control.status(target, NodeService.SYSTEMD)).isEqualTo(new WorkerStatus(true, unitPid));
        ProbeResult probed = probe.probe(target, NodeService.SYSTEMD);
        assertThat(probed.processAlive()).isTrue();
        assertThat(probed.pid()).isEqualTo(unitPid);

        // Bootstrapping again finds the pid file naming the unit's own agent (the agent writes it): kept.
        ServiceDetection again = installer.detect(target);
        assertThat(again.systemUnit()).isTrue();
        assertThat(again.systemUnitPid()).isEqualTo(unitPid);
        assertThat(installer.install(target, NodeService.SYSTEMD, again).detail())
                .doesNotContain("stopped the pid-file agent");
        assertThat(processAlive(unitPid)).isTrue();

        control.stop(target, NodeService.SYSTEMD);
        assertThat(processAlive(unitPid)).isFalse();
        assertThat(probe.probe(target, NodeService.SYSTEMD).processAlive()).isFalse();
        assertThat(control.status(target, NodeService.SYSTEMD).running()).isFalse();

        assertThat(commands("groupai-node-standin-1.service"))
                .containsSubsequence(
                        "daemon-reload",
                        "enable groupai-node-standin-1.service",
                        "start groupai-node-standin-1.service",
                        "is-active groupai-node-standin-1.service",
                        "show -p ActiveState -p MainPID groupai-node-standin-1.service",
                        "stop groupai-node-standin-1.service");
    }

    @Test
    void backToThePidFileTheUnitIsStoppedDisabledAndRemoved() throws Exception {
        SshTarget target = target("standin-2");
        installFakeWorker(Path.of(target.deployDir()));
        WorkerProcessControl control = new WorkerProcessControl(shell, Duration.ofSeconds(2));
        NodeServiceInstaller installer = new NodeServiceInstaller(shell, control, paths);
        ServiceDetection found = installer.detect(target);
        assumeTrue(found.choose("auto").service() == NodeService.SYSTEMD, "needs the SSH user to be root here");
        installer.install(target, NodeService.SYSTEMD, found);
        long unitPid = control.start(target, NodeService.SYSTEMD).pid();

        NodeServiceInstaller.Installed installed =
                installer.install(target, NodeService.PIDFILE, installer.detect(target));

        assertThat(installed.service()).isEqualTo(NodeService.PIDFILE);
        assertThat(installed.unitPath()).isNull();
        assertThat(installed.detail()).contains("removed " + unitDir.resolve("groupai-node-standin-2.service"));
        assertThat(unitDir.resolve("groupai-node-standin-2.service")).doesNotExist();
        assertThat(processAlive(unitPid)).isFalse();
        assertThat(commands("groupai-node-standin-2.service"))
                .containsSubsequence(
                        "start groupai-node-standin-2.service",
                        "stop groupai-node-standin-2.service",
                        "disable groupai-node-standin-2.service");
        long pid = control.start(target, NodeService.PIDFILE).pid();
        try {
            assertThat(new NodeProbe(shell).probe(target, NodeService.PIDFILE).pid())
                    .isEqualTo(pid);
        } finally {
            control.stop(target, NodeService.PIDFILE);
        }
    }

    private static SshTarget target(String nodeId) throws Exception {
        Path deploy = Files.createDirectories(dir.resolve(nodeId + "-deploy"));
        return new SshTarget(nodeId, "127.0.0.1", sshd.port(), sshd.user(), deploy.toString());
    }

    /** The stand-in's calls that name this unit, plus the daemon-reloads (which name none). */
    private static List<String> commands(String unit) throws Exception {
        return Files.readAllLines(calls).stream()
                .filter(c -> c.endsWith(unit) || c.equals("daemon-reload"))
                .toList();
    }
}
