package io.groupai.fleet.nodes;

import io.groupai.fleet.nodes.ssh.CommandResult;
import io.groupai.fleet.nodes.ssh.NodeServiceInstaller;
import io.groupai.fleet.nodes.ssh.RemoteFile;
import io.groupai.fleet.nodes.ssh.RemoteShell;
import io.groupai.fleet.nodes.ssh.ServiceDetection;
import io.groupai.fleet.nodes.ssh.SessionTransfer;
import io.groupai.fleet.nodes.ssh.ShellQuote;
import io.groupai.fleet.nodes.ssh.SshException;
import io.groupai.fleet.nodes.ssh.SshTarget;
import io.groupai.fleet.registry.NodeTokenStore;
import io.groupai.fleet.registry.ServerRecord;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.nodes.InstalledFile;
import io.groupai.fleet.workflows.nodes.InstalledRuntime;
import io.groupai.fleet.workflows.nodes.InstalledService;
import io.groupai.fleet.workflows.nodes.NodeInstallActivities;
import io.groupai.fleet.workflows.nodes.ServerPlatform;
import io.temporal.failure.ApplicationFailure;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Installs the worker-node agent, its Java runtime and its configuration on a server over SSH/SFTP.
 * A server needs sshd, a POSIX shell, glibc and the base tools (tar, gzip, sha256sum): the
 * distribution brings its own Java.
 */
@Component("nodeInstallActivities")
public class NodeInstallActivitiesImpl implements NodeInstallActivities {

    private static final Logger log = LoggerFactory.getLogger(NodeInstallActivitiesImpl.class);

    private static final Pattern GLIBC_VERSION = Pattern.compile("(\\d+)\\.(\\d+)");
    /** First line of {@code java -version}: {@code openjdk version "25.0.3" 2026-04-21 LTS}. */
    private static final Pattern JAVA_VERSION = Pattern.compile("version \"([^\"]+)\"");

    private final NodeTargets targets;
    private final RemoteShell shell;
    private final SessionTransfer transfer;
    private final NodeTokenStore tokens;
    private final NodeDistributionProperties distribution;
    private final NodeDistribution files;
    private final WorkflowServiceStubs temporal;
    private final Environment environment;
    private final ObjectProvider<NodeConfigExtras> extras;
    private final NodeServiceInstaller services;
    private final ServerRepository servers;

    public NodeInstallActivitiesImpl(
            NodeTargets targets,
            RemoteShell shell,
            SessionTransfer transfer,
            NodeTokenStore tokens,
            NodeDistributionProperties distribution,
            NodeDistribution files,
            WorkflowServiceStubs temporal,
            Environment environment,
            ObjectProvider<NodeConfigExtras> extras,
            NodeServiceInstaller services,
            ServerRepository servers) {
        this.targets = targets;
        this.shell = shell;
        this.transfer = transfer;
        this.tokens = tokens;
        this.distribution = distribution;
        this.files = files;
        this.temporal = temporal;
        this.environment = environment;
        this.extras = extras;
        this.services = services;
        this.servers = servers;
    }

    @Override
    public InstalledService installService(String nodeId) {
        ServerRecord server = servers.get(nodeId);
        SshTarget target = targets.of(nodeId);
        boolean own = server.serviceMode() != null;
        String requested = own ? server.serviceMode() : distribution.serviceMode();
        try {
            ServiceDetection found = services.detect(target);
            ServiceDetection.Choice choice = found.choose(requested);
            if (choice.service() == null) {
                String message = "server " + nodeId + ", step install service: service_mode is systemd ("
                        + (own ? "set on this server" : "GROUPAI_NODE_SERVICE_MODE")
                        + "), but the agent cannot run as a systemd unit here: " + choice.why()
                        + ". Fix that, or set service_mode to auto (falls back to the pid file) or pidfile";
                log.warn("{}", message);
                throw ApplicationFailure.newNonRetryableFailure(message, FailureTypes.NON_RETRYABLE_NODE_FAILURE);
            }
            NodeServiceInstaller.Installed installed = services.install(target, choice.service(), found);
            servers.recordNodeService(nodeId, installed.service().wireName());
            return new InstalledService(
                    installed.service().wireName(),
                    installed.unitPath(),
                    installed.service().wireName() + ": " + choice.why() + "; " + installed.detail());
        } catch (SshException e) {
            throw SshFailures.toTemporal(e);
        }
    }

    @Override
    public ServerPlatform checkServer(String nodeId) {
        SshTarget target = targets.of(nodeId);
        NodeDistribution.Manifest manifest = local(nodeId, "check server").manifest();
        CommandResult r;
        try {
            r = shell.execChecked(target, "check server", """
                    echo "os=$(uname -s)"
                    echo "arch=$(uname -m)"
                    libc=$(getconf GNU_LIBC_VERSION 2>/dev/null) || libc=
                    [ -n "$libc" ] || libc=$(ldd --version 2>&1 | head -n 1)
                    echo "libc=$libc"
                    for tool in tar gzip sha256sum; do command -v "$tool" >/dev/null 2>&1 || echo "missing=$tool"; done
                    """, null);
        } catch (SshException e) {
            throw SshFailures.toTemporal(e);
        }
        String os = value(r.stdout(), "os");
        String arch = value(r.stdout(), "arch");
        String libc = value(r.stdout(), "libc");
        String glibc = glibcVersion(libc);
        List<String> problems = unsupported(
                manifest,
                os,
                arch,
                libc,
                r.stdout()
                        .lines()
                        .filter(line -> line.startsWith("missing="))
                        .map(line -> line.substring(8))
                        .toList());
        if (!problems.isEmpty()) {
            String message =
                    "server " + nodeId + ", step check server: this server cannot run the worker-node distribution: "
                            + String.join(", ", problems) + ". It needs " + manifest.os() + " on " + manifest.arch()
                            + " with glibc "
                            + manifest.minGlibc()
                            + " or newer, and tar, gzip and sha256sum (no Java: the distribution brings its own)";
            log.warn("{}", message);
            throw ApplicationFailure.newNonRetryableFailure(message, FailureTypes.NON_RETRYABLE_NODE_FAILURE);
        }
        return new ServerPlatform(os, arch, glibc);
    }

    @Override
    public InstalledRuntime installRuntime(String nodeId) {
        SshTarget target = targets.of(nodeId);
        NodeDistribution.Local local = local(nodeId, "install java runtime");
        String id = local.manifest().runtimeId();
        String runtimeDir = target.deployDir() + "/runtime";
        Path archive = local.file(NodeDistribution.RUNTIME_ARCHIVE);
        String header = "d=" + ShellQuote.quote(target.deployDir()) + "\nid=" + ShellQuote.quote(id) + "\n";
        try {
            // Once per version: the runtime directory records the id of the archive it came from.
            CommandResult present = shell.execChecked(target, "install java runtime", header + """
                    if [ -x "$d/runtime/bin/java" ] && [ "$(cat "$d/runtime/.release-id" 2>/dev/null)" = "$id" ]; then echo present=1; fi
                    """, null);
            if (present.stdout().contains("present=1")) {
                log.info("server {}: Java runtime {} already installed, upload skipped", nodeId, id.substring(0, 12));
                return new InstalledRuntime(runtimeDir, id, local.manifest().javaVersion(), size(archive), false);
            }
            RemoteFile uploaded =
                    transfer.install(target, "dist", NodeDistribution.RUNTIME_ARCHIVE, archive, "0700", "0600");
            // Unpacked beside the old runtime, checked to start here, then swapped in; a running agent keeps
            // the files it has open, and a failed unpack leaves the old runtime in place.
            CommandResult unpacked = shell.execChecked(
                    target,
                    "install java runtime",
                    header + "a=" + ShellQuote.quote(uploaded.path()) + "\n" + """
                    umask 022
                    new="$d/.runtime.new"; old="$d/.runtime.old"
                    rm -rf "$new" "$old" && mkdir -p "$new" || exit 4
                    if ! gzip -dc "$a" | tar -xf - -C "$new"; then rm -rf "$new"; echo "cannot unpack $a" >&2; exit 5; fi
                    if ! v=$("$new/bin/java" -version 2>&1); then
                      rm -rf "$new"; echo "the shipped Java runtime does not start on this server: $v" >&2; exit 6
                    fi
                    printf '%s\\n' "$id" > "$new/.release-id" || exit 4
                    if [ -d "$d/runtime" ]; then mv "$d/runtime" "$old" || exit 4; fi
                    if ! mv "$new" "$d/runtime"; then [ -d "$old" ] && mv "$old" "$d/runtime"; exit 4; fi
                    rm -rf "$old" "$a"
                    printf '%s\\n' "$v"
                    """,
                    shell.pool().settings().transferTimeout());
            Matcher version = JAVA_VERSION.matcher(unpacked.stdout());
            String javaVersion =
                    version.find() ? version.group(1) : local.manifest().javaVersion();
            log.info(
                    "server {}: Java runtime {} ({}) installed at {}",
                    nodeId,
                    javaVersion,
                    id.substring(0, 12),
                    runtimeDir);
            return new InstalledRuntime(runtimeDir, id, javaVersion, uploaded.size(), true);
        } catch (SshException e) {
            throw SshFailures.toTemporal(e);
        }
    }

    @Override
    public List<InstalledFile> installDistribution(String nodeId) {
        SshTarget target = targets.of(nodeId);
        NodeDistribution.Local local = local(nodeId, "upload worker-node distribution");
        try {
            List<InstalledFile> installed = new ArrayList<>();
            installed.add(view(transfer.install(
                    target, "lib", "worker-node.jar", local.file(NodeDistribution.AGENT_JAR), "0755", "0644")));
            Path tdlib = local.file(NodeDistribution.TDLIB);
            if (distribution.shipTdlib() && Files.isRegularFile(tdlib)) {
                installed.add(view(transfer.install(target, "lib", "libtdjson.so", tdlib, "0755", "0644")));
            }
            installed.add(view(transfer.install(
                    target, "bin", "worker-node", local.file(NodeDistribution.LAUNCHER), "0755", "0755")));
            return installed;
        } catch (SshException e) {
            throw SshFailures.toTemporal(e);
        }
    }

    @Override
    public InstalledFile writeNodeConfig(String nodeId) {
        SshTarget target = targets.of(nodeId);
        // Generated here when the operator set none: 256 random bits, stored hashed (and encrypted for this step).
        String token = tokens.issueIfAbsent(nodeId);
        String controlPlaneUrl = isBlank(distribution.controlPlaneUrl())
                ? (httpsServed() ? "https" : "http") + "://127.0.0.1:"
                        + environment.getProperty("local.server.port", "8080")
                : distribution.controlPlaneUrl();
        if (insecure(controlPlaneUrl) && !distribution.allowInsecureHttp()) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "server " + nodeId + ", step write node config: the control plane URL for nodes ("
                            + controlPlaneUrl + ", GROUPAI_PUBLIC_URL) is plain http to a non-loopback host: the "
                            + "node token and session archives would cross the network in clear. Serve the "
                            + "control plane over https, or set groupai.nodes.allow-insecure-http=true "
                            + "(GROUPAI_NODE_ALLOW_INSECURE_HTTP) on a private network you trust",
                    FailureTypes.NON_RETRYABLE_NODE_FAILURE);
        }
        Properties config = new Properties();
        config.setProperty("NODE_ID", nodeId);
        config.setProperty("NODE_TOKEN", token);
        config.setProperty(
                "TEMPORAL_ADDRESS",
                isBlank(distribution.temporalAddress())
                        ? temporal.getOptions().getTarget()
                        : distribution.temporalAddress());
        config.setProperty("CONTROL_PLANE_URL", controlPlaneUrl);
        if (insecure(controlPlaneUrl)) {
            config.setProperty("CONTROL_PLANE_ALLOW_INSECURE_HTTP", "true");
        }
        config.setProperty("TELEGRAM_RUNTIME", distribution.telegramRuntime());
        config.setProperty(
                "HEARTBEAT_INTERVAL", distribution.heartbeatInterval().toSeconds() + "s");
        extras.orderedStream().forEach(e -> e.forNode(nodeId).forEach(config::setProperty));
        Path local = null;
        try {
            local = Files.createTempFile(
                    "worker-node-",
                    ".properties",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            StringWriter text = new StringWriter();
            config.store(text, "written by the Group AI Fleet control plane for " + nodeId);
            Files.writeString(local, text.toString(), StandardCharsets.ISO_8859_1);
            RemoteFile written = transfer.install(target, "conf", "worker-node.properties", local, "0700", "0600");
            log.info("server {}: wrote {} (node token not logged)", nodeId, written.path());
            return view(written);
        } catch (SshException e) {
            throw SshFailures.toTemporal(e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render the node config of " + nodeId, e);
        } finally {
            deleteQuietly(local);
        }
    }

    /** Whether this app's port speaks HTTPS (server.ssl.bundle, e.g. from GROUPAI_TLS_CERT/KEY, or server.ssl.*). */
    private boolean httpsServed() {
        if (!environment.getProperty("server.ssl.enabled", Boolean.class, true)) {
            return false;
        }
        return java.util.stream.Stream.of("server.ssl.bundle", "server.ssl.certificate", "server.ssl.key-store")
                .anyMatch(k -> !isBlank(environment.getProperty(k)));
    }

    /** Plain http to a host that is not loopback by its literal name or address. */
    static boolean insecure(String url) {
        java.net.URI uri;
        try {
            uri = java.net.URI.create(url);
        } catch (IllegalArgumentException e) {
            return false; // the agent names the malformed URL itself
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            return false;
        }
        String h = uri.getHost().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return !(h.equals("localhost")
                || h.equals("::1")
                || h.equals("0:0:0:0:0:0:0:1")
                || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}"));
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("could not delete the local temporary node config {}: {}", file, e.toString());
        }
    }

    private NodeDistribution.Local local(String nodeId, String step) {
        try {
            return files.local();
        } catch (IllegalStateException e) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "server " + nodeId + ", step " + step + ": " + e.getMessage(),
                    FailureTypes.NON_RETRYABLE_NODE_FAILURE);
        }
    }

    /** What keeps a server from running the distribution; empty when it can. */
    static List<String> unsupported(
            NodeDistribution.Manifest manifest, String os, String arch, String libc, List<String> missingTools) {
        List<String> problems = new ArrayList<>();
        if (!manifest.os().equalsIgnoreCase(os)) {
            problems.add("its OS is " + os);
        }
        if (!(manifest.arch().equals(arch) || ("x86_64".equals(manifest.arch()) && "amd64".equals(arch)))) {
            problems.add("its architecture is " + arch);
        }
        String glibc = glibcVersion(libc);
        if (glibc == null) {
            problems.add("its C library is not glibc (" + (libc == null || libc.isBlank() ? "unknown" : libc) + ")");
        } else if (compareVersions(glibc, manifest.minGlibc()) < 0) {
            problems.add("its glibc is " + glibc);
        }
        missingTools.forEach(tool -> problems.add(tool + " is not installed"));
        return problems;
    }

    /** "glibc 2.36" (getconf) or "ldd (Debian GLIBC 2.36-9+deb12u14) 2.36" (ldd) → 2.36; null for other C libraries. */
    static String glibcVersion(String libc) {
        if (libc == null) {
            return null;
        }
        String lower = libc.toLowerCase(Locale.ROOT);
        if (!lower.contains("glibc") && !lower.contains("gnu libc")) {
            return null;
        }
        Matcher m = GLIBC_VERSION.matcher(libc.substring(libc.lastIndexOf(' ') + 1));
        if (!m.find()) {
            m = GLIBC_VERSION.matcher(libc);
            if (!m.find()) {
                return null;
            }
        }
        return m.group(1) + "." + m.group(2);
    }

    static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int c = Integer.compare(
                    i < x.length ? Integer.parseInt(x[i]) : 0, i < y.length ? Integer.parseInt(y[i]) : 0);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static String value(String output, String key) {
        return output.lines()
                .filter(line -> line.startsWith(key + "="))
                .map(line -> line.substring(key.length() + 1).strip())
                .findFirst()
                .orElse(null);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InstalledFile view(RemoteFile file) {
        return new InstalledFile(file.path(), file.size(), file.sha256());
    }
}
