package io.groupai.fleet.node.telegram.tdlib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lookup order of libtdjson.so and its error messages. */
class TdlibLibraryTest {

    @TempDir
    Path dir;

    @Test
    void explicitPathsWinAndMustExist() throws Exception {
        Path lib = Files.createFile(dir.resolve("custom.so"));
        Path deployLib = Files.createDirectories(dir.resolve("deploy/lib")).resolve("libtdjson.so");
        Files.createFile(deployLib);

        assertThat(TdlibLibrary.locate(lib.toString(), "/nope.so", Optional.of(dir.resolve("deploy"))))
                .isEqualTo(lib);
        assertThat(TdlibLibrary.locate(null, lib.toString(), Optional.of(dir.resolve("deploy"))))
                .isEqualTo(lib);
        assertThat(TdlibLibrary.locate(null, null, Optional.of(dir.resolve("deploy"))))
                .isEqualTo(deployLib);

        // A configured path that is wrong is an error, never a quiet fallback to another library.
        assertThatThrownBy(() -> TdlibLibrary.locate(dir.resolve("missing.so").toString(), null, Optional.empty()))
                .isInstanceOf(TdlibUnavailableException.class)
                .hasMessageContaining("missing.so")
                .hasMessageContaining(TdlibLibrary.PATH_PROPERTY);
        assertThatThrownBy(
                        () -> TdlibLibrary.locate(null, dir.resolve("gone.so").toString(), Optional.empty()))
                .hasMessageContaining("gone.so")
                .hasMessageContaining(TdlibLibrary.PATH_ENV);
    }

    @Test
    void fallsBackToTheBuildOutputThenExplainsWhatWasTried() {
        Path dev = Path.of(TdlibLibrary.DEV_DEFAULT);
        if (Files.isRegularFile(dev)) {
            assertThat(TdlibLibrary.locate(null, null, Optional.of(dir))).isEqualTo(dev);
        } else {
            assertThatThrownBy(() -> TdlibLibrary.locate(null, null, Optional.of(dir)))
                    .isInstanceOf(TdlibUnavailableException.class)
                    .hasMessageContaining(dir.resolve("lib/libtdjson.so").toString())
                    .hasMessageContaining("TDLIB_PATH");
        }
    }

    @Test
    void aFileThatIsNotALibraryFailsClearly() throws Exception {
        Path bogus = Files.writeString(dir.resolve("libtdjson.so"), "not an ELF file");
        assertThatThrownBy(() -> TdlibLibrary.load(bogus))
                .isInstanceOf(TdlibUnavailableException.class)
                .hasMessageContaining("cannot load")
                .hasMessageContaining(bogus.toString());
    }
}
