package io.groupai.fleet.nodes;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * What bootstrap installs on a server and the configuration it writes for the agent there.
 *
 * @param distribution       a worker-node distribution directory (the layout of worker-node/target/dist:
 *                           bin/, lib/, runtime.tar.gz, distribution.properties); blank: the one built into
 *                           this app, so bootstrap works wherever the app runs. A plain file-system path
 *                           (bound as a string: Spring's Path conversion treats "../x" as a resource)
 * @param shipTdlib          also install lib/libtdjson.so (60 MB; only TELEGRAM_RUNTIME=tdlib needs it)
 * @param temporalAddress    the Temporal frontend as the nodes reach it (blank: the one this app uses)
 * @param controlPlaneUrl    this control plane as the nodes reach it (blank: http://127.0.0.1:<this app's port>)
 * @param telegramRuntime    simulated or tdlib
 * @param heartbeatInterval  how often agents send heartbeats
 * @param allowInsecureHttp  accept a plain-http controlPlaneUrl to a non-loopback host (private lab networks
 *                           only); otherwise bootstrap refuses to configure such a node
 * @param tokenGrace         how long a node's previous token stays valid after a rotation (it picks up the
 *                           new one from its next heartbeat reply)
 * @param serviceMode        how bootstrap runs the agent where the server row says nothing: auto (a systemd
 *                           unit where the server allows one, else the pid file), systemd or pidfile
 */
@Validated
@ConfigurationProperties("groupai.nodes")
public record NodeDistributionProperties(
        String distribution,
        @DefaultValue("true") boolean shipTdlib,
        String temporalAddress,
        String controlPlaneUrl,
        @NotBlank String telegramRuntime,
        @NotNull Duration heartbeatInterval,
        @DefaultValue("false") boolean allowInsecureHttp,
        @DefaultValue("1h") @NotNull Duration tokenGrace,

        @DefaultValue("auto")
        @Pattern(
                regexp = "auto|systemd|pidfile",
                message = "must be auto, systemd or pidfile (GROUPAI_NODE_SERVICE_MODE)")
        String serviceMode) {

    /** Null when bootstrap uses the distribution built into the app. */
    public Path distributionDir() {
        return distribution == null || distribution.isBlank() ? null : Path.of(distribution);
    }
}
