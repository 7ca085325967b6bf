package io.groupai.fleet.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution's launcher, run with a stand-in {@code java} that prints what it was given: the deploy
 * layout, native access for JNA/libtdjson, and the operator's TDLib credentials from conf/telegram.env.
 */
class LauncherTest {

    @TempDir
    Path dir;

    @Test
    void launcherExportsTelegramCredentialsAndEnablesNativeAccess() throws Exception {
        Path deploy = dir.resolve("deploy");
        Path bin = Files.createDirectories(deploy.resolve("bin"));
        Files.createDirectories(deploy.resolve("lib"));
        Files.createDirectories(deploy.resolve("conf"));
        Files.copy(Path.of("src/main/dist/bin/worker-node"), bin.resolve("worker-node"));
        bin.resolve("worker-node").toFile().setExecutable(true);
        Files.writeString(deploy.resolve("conf/telegram.env"), "TELEGRAM_API_ID=12345\nTELEGRAM_API_HASH=abcdef0123\n");

        standInJava(dir.resolve("jdk"), "jdk");

        ProcessBuilder pb = new ProcessBuilder(bin.resolve("worker-node").toString()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", dir.resolve("jdk").toString());
        pb.environment().remove("TELEGRAM_API_ID");
        pb.environment().remove("TELEGRAM_API_HASH");
        Process p = pb.start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        Path real = deploy.toRealPath();
        assertThat(out)
                .contains("args=--enable-native-access=ALL-UNNAMED -jar " + real + "/lib/worker-node.jar " + real
                        + "/conf/worker-node.properties");
        assertThat(out)
                .contains("api_id=12345")
                .contains("hash_set=yes")
                .contains("deploy=" + real)
                .contains("pwd=" + real);
    }

    @Test
    void theShippedRuntimeWinsOverJavaHome() throws Exception {
        Path deploy = deployDir();
        standInJava(deploy.resolve("runtime"), "shipped");
        standInJava(dir.resolve("jdk"), "jdk");

        Result r = launch(deploy, dir.resolve("jdk"), null);
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("java=shipped").doesNotContain("java=jdk");
    }

    @Test
    void neverTheJavaOnPath() throws Exception {
        Path deploy = deployDir();
        // A server's own java (e.g. 17, too old for the agent) must not be used even though it is on PATH.
        Path pathJava = standInJava(dir.resolve("os-java"), "path");

        Result r = launch(deploy, null, pathJava.getParent() + ":/usr/bin:/bin");
        assertThat(r.exit()).as(r.out()).isEqualTo(3);
        assertThat(r.out())
                .doesNotContain("java=path")
                .contains("no Java runtime")
                .contains(deploy.toRealPath() + "/runtime/bin/java is missing")
                .contains("bootstrap");
    }

    @Test
    void fileNamesAreUtf8EvenWhenTheSessionHasNoLocale() throws Exception {
        Path deploy = deployDir();
        standInJava(deploy.resolve("runtime"), "shipped");

        ProcessBuilder pb = new ProcessBuilder(deploy.resolve("bin/worker-node").toString()).redirectErrorStream(true);
        pb.environment().clear(); // like an SSH session on a server without a configured locale
        pb.environment().put("PATH", "/usr/bin:/bin");
        Process p = pb.start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).contains("lc_all=C.UTF-8");

        ProcessBuilder utf8 =
                new ProcessBuilder(deploy.resolve("bin/worker-node").toString()).redirectErrorStream(true);
        utf8.environment().clear();
        utf8.environment().put("PATH", "/usr/bin:/bin");
        utf8.environment().put("LANG", "C.UTF-8");
        Process q = utf8.start();
        assertThat(q.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .as("a UTF-8 locale is left alone")
                .contains("lc_all=\n");
    }

    private Path deployDir() throws Exception {
        Path deploy = dir.resolve("deploy");
        Path bin = Files.createDirectories(deploy.resolve("bin"));
        Files.copy(Path.of("src/main/dist/bin/worker-node"), bin.resolve("worker-node"));
        bin.resolve("worker-node").toFile().setExecutable(true);
        return deploy;
    }

    private record Result(int exit, String out) {}

    private static Result launch(Path deploy, Path javaHome, String path) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(deploy.resolve("bin/worker-node").toString()).redirectErrorStream(true);
        pb.environment().remove("JAVA_HOME");
        if (javaHome != null) {
            pb.environment().put("JAVA_HOME", javaHome.toString());
        }
        if (path != null) {
            pb.environment().put("PATH", path);
        }
        Process p = pb.start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** {@code <home>/bin/java}: prints its name, what it was given and the environment the launcher made. */
    private static Path standInJava(Path home, String name) throws Exception {
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(
                java,
                "#!/bin/sh\necho \"java=" + name + "\"\necho \"args=$*\"\necho \"api_id=$TELEGRAM_API_ID\"\n"
                        + "echo \"hash_set=${TELEGRAM_API_HASH:+yes}\"\necho \"deploy=$DEPLOY_DIR\"\necho \"pwd=$(pwd -P)\"\n"
                        + "echo \"lc_all=${LC_ALL:-}\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return java;
    }
}
