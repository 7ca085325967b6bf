package io.groupai.fleet.nodes.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unit file bootstrap installs: what it runs, how it restarts and stops, and that it holds no secret;
 * then {@code systemd-analyze verify} on the rendered text where that binary is installed (it needs no
 * running systemd, unlike starting the unit, which this machine cannot do).
 */
class SystemdUnitTest {

    @TempDir
    Path dir;

    static final SshTarget TARGET = new SshTarget("worker-01", "10.0.0.5", 22, "deploy", "/opt/group-ai");

    @Test
    void theSystemUnitRunsTheLauncherFromTheDeployDirAsTheSshUserAndHoldsNoSecret() {
        String unit = SystemdUnit.render(TARGET, false, Duration.ofSeconds(10));

        assertThat(SystemdUnit.name("worker-01")).isEqualTo("groupai-node-worker-01.service");
        assertThat(unit.lines())
                .contains(
                        "Type=exec",
                        "User=deploy",
                        "WorkingDirectory=/opt/group-ai",
                        "ExecStart=/opt/group-ai/bin/worker-node",
                        "Environment=JAVA_HOME=/opt/group-ai/runtime",
                        "Environment=WORKER_NODE_LOG_FILE=/opt/group-ai/logs/worker-node.log",
                        "Restart=on-failure",
                        "StartLimitIntervalSec=300",
                        "StartLimitBurst=5",
                        "RestartPreventExitStatus=2",
                        "SuccessExitStatus=143",
                        "KillMode=control-group",
                        "TimeoutStopSec=10",
                        "StandardOutput=journal",
                        "StandardError=journal",
                        "SyslogIdentifier=groupai-node-worker-01",
                        "ReadWritePaths=/opt/group-ai",
                        "WantedBy=multi-user.target");
        // The token stays in conf/worker-node.properties (0600), which the agent reads itself: nothing in the
        // unit (so nothing in `systemctl show`) carries it, and no environment file is loaded into the unit.
        assertThat(unit).doesNotContain("NODE_TOKEN", "EnvironmentFile", "PassEnvironment");
        assertThat(unit.lines().filter(l -> l.startsWith("Environment=")))
                .allSatisfy(l -> assertThat(l).doesNotContain("worker-node.properties"));
    }

    @Test
    void theUserUnitHasNoUserAndNoSandboxAUserManagerMayNotSetUp() {
        String unit = SystemdUnit.render(TARGET, true, Duration.ofSeconds(3));

        assertThat(unit).doesNotContain("User=", "PrivateTmp", "ProtectSystem", "ReadWritePaths");
        assertThat(unit.lines()).contains("WantedBy=default.target", "TimeoutStopSec=3", "KillMode=control-group");
    }

    @Test
    void systemdAnalyzeVerifyAcceptsBothUnitsAndCatchesABrokenOne() throws Exception {
        Optional<Path> analyze = Stream.of("/usr/bin/systemd-analyze", "/bin/systemd-analyze")
                .map(Path::of)
                .filter(Files::isExecutable)
                .findFirst();
        assumeTrue(
                analyze.isPresent(),
                "systemd-analyze is not installed (apt-get install -y systemd provides it); only the unit text is checked");
        Path deploy = dir.resolve("deploy");
        Path launcher = Files.createDirectories(deploy.resolve("bin")).resolve("worker-node");
        Files.writeString(launcher, "#!/bin/sh\nexec sleep 1\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        SshTarget target =
                new SshTarget("verify-01", "127.0.0.1", 22, System.getProperty("user.name"), deploy.toString());

        assertThat(verify(analyze.get(), target, false)).isEmpty();
        assertThat(verify(analyze.get(), target, true)).isEmpty();

        // Not a vacuous check: without the launcher the same unit is refused.
        Files.delete(launcher);
        assertThat(verify(analyze.get(), target, false))
                .anySatisfy(line -> assertThat(line).contains("worker-node", "is not executable"));
    }

    /** The lines systemd-analyze prints about our unit (other units' warnings on the machine are not ours). */
    private List<String> verify(Path analyze, SshTarget target, boolean user) throws IOException, InterruptedException {
        Path units = Files.createDirectories(dir.resolve(user ? "user-units" : "system-units"));
        Path file = units.resolve(SystemdUnit.name(target.nodeId()));
        Files.writeString(file, SystemdUnit.render(target, user, Duration.ofSeconds(10)));
        ProcessBuilder pb = user
                ? new ProcessBuilder(analyze.toString(), "--user", "verify", file.toString())
                : new ProcessBuilder(analyze.toString(), "verify", file.toString());
        if (user) {
            // The user manager's runtime dir; a container without a login session has none.
            Path runtime = Files.createDirectories(dir.resolve("xdg"));
            Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
            pb.environment().put("XDG_RUNTIME_DIR", runtime.toString());
        }
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> ours = out.lines()
                .filter(l -> l.contains(file.getFileName().toString()) || l.contains(target.deployDir()))
                .toList();
        System.out.println("systemd-analyze " + (user ? "--user " : "") + "verify " + file.getFileName() + ": exit "
                + p.exitValue() + (out.isBlank() ? ", no findings" : ":\n" + out));
        if (ours.isEmpty()) {
            assertThat(p.exitValue()).as(out).isZero();
        }
        return ours;
    }
}
