package io.groupai.fleet.nodes;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * What bootstrap installs on a server and the configuration it writes for the agent there. Paths
 * are plain file-system paths (bound as strings: Spring's Path conversion treats "../x" as a
 * resource and refuses it), relative to the working directory.
 *
 * @param agentJar           the worker-node distribution (worker-node-*-all.jar)
 * @param launcher           the {@code bin/worker-node} launcher script
 * @param tdlibLibrary       libtdjson.so to ship beside the agent (optional: skipped when missing)
 * @param temporalAddress    the Temporal frontend as the nodes reach it (blank: the one this app uses)
 * @param controlPlaneUrl    this control plane as the nodes reach it (blank: http://127.0.0.1:<this app's port>)
 * @param telegramRuntime    simulated or tdlib
 * @param heartbeatInterval  how often agents send heartbeats
 */
@Validated
@ConfigurationProperties("groupai.nodes")
public record NodeDistributionProperties(
        @NotBlank String agentJar,
        @NotBlank String launcher,
        String tdlibLibrary,
        String temporalAddress,
        String controlPlaneUrl,
        @NotBlank String telegramRuntime,
        @NotNull Duration heartbeatInterval) {

    public Path agentJarPath() {
        return Path.of(agentJar);
    }

    public Path launcherPath() {
        return Path.of(launcher);
    }

    /** Null when not configured. */
    public Path tdlibLibraryPath() {
        return tdlibLibrary == null || tdlibLibrary.isBlank() ? null : Path.of(tdlibLibrary);
    }
}
