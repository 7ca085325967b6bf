package io.groupai.fleet.nodes.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which mode bootstrap chooses from what a server offers, and which commands each mode then runs. */
class NodeServiceSelectionTest {

    static final SshTarget TARGET = new SshTarget("n1", "10.0.0.5", 22, "deploy", "/opt/group-ai");

    static ServiceDetection server(boolean systemd, String privilege, boolean linger) {
        return new ServiceDetection(
                "/run/systemd/system",
                systemd,
                systemd,
                "deploy",
                privilege,
                linger,
                linger,
                false,
                false,
                null,
                null,
                null,
                "/home/deploy/.config/systemd/user");
    }

    @Test
    void autoTakesASystemUnitWhereRootOrSudoCanInstallOne() {
        assertThat(server(true, "root", false).choose("auto"))
                .isEqualTo(new ServiceDetection.Choice(NodeService.SYSTEMD, "installed as root"));
        assertThat(server(true, "sudo", false).choose("auto").service()).isEqualTo(NodeService.SYSTEMD);
        assertThat(server(true, "sudo", false).choose("auto").why()).contains("sudo -n", "deploy");
    }

    @Test
    void withoutPrivilegesAutoTakesAUserUnitOnlyWithLingering() {
        assertThat(server(true, "none", true).choose("auto").service()).isEqualTo(NodeService.SYSTEMD_USER);

        ServiceDetection.Choice noLinger = server(true, "none", false).choose("auto");
        assertThat(noLinger.service()).isEqualTo(NodeService.PIDFILE);
        assertThat(noLinger.why()).contains("cannot install a system unit", "loginctl enable-linger deploy");
    }

    @Test
    void withoutSystemdAutoFallsBackToThePidFileAndForcedSystemdHasNoChoiceButSaysWhy() {
        ServiceDetection none = server(false, "root", false);
        assertThat(none.choose("auto"))
                .isEqualTo(new ServiceDetection.Choice(
                        NodeService.PIDFILE, "systemd is not running here (no /run/systemd/system)"));
        assertThat(none.choose("systemd"))
                .isEqualTo(new ServiceDetection.Choice(null, "systemd is not running here (no /run/systemd/system)"));
        assertThat(server(true, "none", false).choose("systemd").service()).isNull();
    }

    @Test
    void pidfileAskedForIsThePidFileEvenWhereSystemdCouldRunIt() {
        assertThat(server(true, "root", true).choose("pidfile").service()).isEqualTo(NodeService.PIDFILE);
    }

    @Test
    void theDetectionOutputIsParsedWhateverItsOrder() {
        ServiceDetection d = ServiceDetection.parse(
                "/run/systemd/system",
                "pidfile_pid=42\nsystemd_running=1\nsystemctl=1\nuser=deploy\nprivilege=sudo\nsystem_unit=1\n"
                        + "system_unit_pid=42\nuser_unit_dir=/home/deploy/.config/systemd/user\nnoise\n");
        assertThat(d.systemdRunning()).isTrue();
        assertThat(d.privilege()).isEqualTo("sudo");
        assertThat(d.pidFileAgent()).isEqualTo(42L);
        assertThat(d.systemUnitPid()).isEqualTo(42L);
        assertThat(d.userUnitPid()).isNull();
        assertThat(d.linger()).isFalse();
    }

    @Test
    void eachModeRunsItsOwnCommands() {
        String unit = "unit='groupai-node-n1.service'";
        // pid-file mode: no systemctl anywhere, the pid file and the process group as before
        assertThat(NodeProbe.script(TARGET, NodeService.PIDFILE))
                .contains("load_pid \"$pf\"")
                .doesNotContain("systemctl");

        for (NodeService service : new NodeService[] {NodeService.SYSTEMD, NodeService.SYSTEMD_USER}) {
            assertThat(WorkerProcessControl.systemdStart(TARGET, service))
                    .contains(unit, "$sc start \"$unit\"", "$scq is-active \"$unit\"", "journal_tail")
                    .doesNotContain("setsid");
            assertThat(WorkerProcessControl.systemdStop(TARGET, service))
                    .contains(unit, "$sc stop \"$unit\"")
                    .doesNotContain("kill -TERM");
            assertThat(WorkerProcessControl.systemdStatus(TARGET, service)).contains(unit, "unit_state");
            // The probe's "agent alive" comes from the unit, not from the pid file.
            assertThat(NodeProbe.script(TARGET, service))
                    .contains("$scq show -p ActiveState -p MainPID \"$unit\"")
                    .doesNotContain("load_pid \"$pf\"");
        }
        assertThat(WorkerProcessControl.systemdStart(TARGET, NodeService.SYSTEMD))
                .contains("sudo -n")
                .doesNotContain("--user");
        assertThat(WorkerProcessControl.systemdStart(TARGET, NodeService.SYSTEMD_USER))
                .contains("systemctl --user", "XDG_RUNTIME_DIR")
                .doesNotContain("sudo");
    }

    /** Runs the fragment that picks the commands in this machine's /bin/sh, as root and as an unprivileged user. */
    @Test
    void rootRunsSystemctlItselfAnotherUserThroughSudoAndTheUserManagerWithoutIt() throws Exception {
        String show = "\necho \"sc=$sc|scq=$scq|jc=$jc|asroot=$asroot\"\n";
        String root = sh(Scripts.systemctl(NodeService.SYSTEMD, "n1") + show, false);
        String user = sh(Scripts.systemctl(NodeService.SYSTEMD_USER, "n1") + show, false);
        assertThat(user).isEqualTo("sc=systemctl --user|scq=systemctl --user|jc=journalctl --user|asroot=");
        if (!"root".equals(System.getProperty("user.name"))) {
            assertThat(root).isEqualTo("sc=sudo -n systemctl|scq=systemctl|jc=sudo -n journalctl|asroot=sudo -n");
            return;
        }
        assertThat(root).isEqualTo("sc=systemctl|scq=systemctl|jc=journalctl|asroot=");
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "setpriv (util-linux) is missing: the unprivileged branch is not run");
        assertThat(sh(Scripts.systemctl(NodeService.SYSTEMD, "n1") + show, true))
                .isEqualTo("sc=sudo -n systemctl|scq=systemctl|jc=sudo -n journalctl|asroot=sudo -n");
    }

    private static String sh(String script, boolean asNobody) throws Exception {
        ProcessBuilder pb = asNobody
                ? new ProcessBuilder(
                        "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c", script)
                : new ProcessBuilder("/bin/sh", "-c", script);
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
