package io.groupai.fleet.nodes.ssh;

import static io.groupai.fleet.nodes.ssh.SshTestSupport.FAST;
import static io.groupai.fleet.nodes.ssh.SshTestSupport.installFakeWorker;
import static io.groupai.fleet.nodes.ssh.SshTestSupport.processAlive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.groupai.fleet.nodes.ssh.testing.OpenSshServer;
import io.groupai.fleet.nodes.ssh.testing.StandInSystemctl;
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
 * here. The sshd of this test puts a small fake {@code systemctl} ({@link StandInSystemctl}) first on the
 * PATH of the SSH user's commands. It records its arguments and runs the unit's {@code ExecStart} in its
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
    static StandInSystemctl systemctl;
    static Path unitDir;
    static NodeServiceInstaller.Paths paths;

    @BeforeAll
    static void start() throws Exception {
        OpenSshServer.unavailable().ifPresent(why -> assumeTrue(false, why));
        systemctl = StandInSystemctl.create(dir);
        unitDir = systemctl.unitDir();
        sshd = OpenSshServer.start(Files.createDirectories(dir.resolve("sshd")), systemctl.sshdConfig());
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
        return systemctl.calls().stream()
                .filter(c -> c.endsWith(unit) || c.equals("daemon-reload"))
                .toList();
    }
}
