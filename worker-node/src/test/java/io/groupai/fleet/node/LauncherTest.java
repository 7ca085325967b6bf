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

        Path jdk = Files.createDirectories(dir.resolve("jdk/bin"));
        Path java = jdk.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"args=$*\"\necho \"api_id=$TELEGRAM_API_ID\"\necho \"hash_set=${TELEGRAM_API_HASH:+yes}\"\n"
                + "echo \"deploy=$DEPLOY_DIR\"\necho \"pwd=$(pwd -P)\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

        ProcessBuilder pb = new ProcessBuilder(bin.resolve("worker-node").toString()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", dir.resolve("jdk").toString());
        pb.environment().remove("TELEGRAM_API_ID");
        pb.environment().remove("TELEGRAM_API_HASH");
        Process p = pb.start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        Path real = deploy.toRealPath();
        assertThat(out).contains("args=--enable-native-access=ALL-UNNAMED -jar " + real + "/lib/worker-node.jar "
                + real + "/conf/worker-node.properties");
        assertThat(out).contains("api_id=12345").contains("hash_set=yes").contains("deploy=" + real)
                .contains("pwd=" + real);
    }
}
