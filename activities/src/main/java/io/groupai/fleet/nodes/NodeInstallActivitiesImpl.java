package io.groupai.fleet.nodes;

import io.groupai.fleet.nodes.ssh.RemoteFile;
import io.groupai.fleet.nodes.ssh.SessionTransfer;
import io.groupai.fleet.nodes.ssh.SshException;
import io.groupai.fleet.nodes.ssh.SshTarget;
import io.groupai.fleet.registry.NodeTokenStore;
import io.groupai.fleet.workflows.nodes.InstalledFile;
import io.groupai.fleet.workflows.nodes.NodeInstallActivities;
import io.groupai.fleet.workflows.nodes.ServerOperationWorkflowImpl;
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
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/** Installs the worker-node agent and its configuration on a server over SFTP. */
@Component("nodeInstallActivities")
public class NodeInstallActivitiesImpl implements NodeInstallActivities {

    private static final Logger log = LoggerFactory.getLogger(NodeInstallActivitiesImpl.class);

    private final NodeTargets targets;
    private final SessionTransfer transfer;
    private final NodeTokenStore tokens;
    private final NodeDistributionProperties distribution;
    private final WorkflowServiceStubs temporal;
    private final Environment environment;
    private final ObjectProvider<NodeConfigExtras> extras;

    public NodeInstallActivitiesImpl(NodeTargets targets, SessionTransfer transfer, NodeTokenStore tokens,
                                     NodeDistributionProperties distribution, WorkflowServiceStubs temporal,
                                     Environment environment, ObjectProvider<NodeConfigExtras> extras) {
        this.targets = targets;
        this.transfer = transfer;
        this.tokens = tokens;
        this.distribution = distribution;
        this.temporal = temporal;
        this.environment = environment;
        this.extras = extras;
    }

    @Override
    public List<InstalledFile> installDistribution(String nodeId) {
        SshTarget target = targets.of(nodeId);
        Path jar = requireFile(nodeId, distribution.agentJarPath(), "the worker-node distribution (build it with ./mvnw -DskipTests package)");
        Path launcher = requireFile(nodeId, distribution.launcherPath(), "the worker-node launcher");
        try {
            List<InstalledFile> installed = new ArrayList<>();
            installed.add(view(transfer.install(target, "lib", "worker-node.jar", jar, "0755", "0644")));
            Path tdlib = distribution.tdlibLibraryPath();
            if (tdlib != null && Files.isRegularFile(tdlib)) {
                installed.add(view(transfer.install(target, "lib", "libtdjson.so", tdlib, "0755", "0644")));
            }
            installed.add(view(transfer.install(target, "bin", "worker-node", launcher, "0755", "0755")));
            return installed;
        } catch (SshException e) {
            throw SshFailures.toTemporal(e);
        }
    }

    @Override
    public InstalledFile writeNodeConfig(String nodeId) {
        SshTarget target = targets.of(nodeId);
        String token = tokens.reveal(nodeId).orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
                "server " + nodeId + ", step write node config: no node_token is set; set one with PUT /api/v1/group-ai/servers/"
                        + nodeId + " (\"node_token\": a random string of 24+ characters)", ServerOperationWorkflowImpl.NON_RETRYABLE));
        Properties config = new Properties();
        config.setProperty("NODE_ID", nodeId);
        config.setProperty("NODE_TOKEN", token);
        config.setProperty("TEMPORAL_ADDRESS", isBlank(distribution.temporalAddress())
                ? temporal.getOptions().getTarget() : distribution.temporalAddress());
        config.setProperty("CONTROL_PLANE_URL", isBlank(distribution.controlPlaneUrl())
                ? "http://127.0.0.1:" + environment.getProperty("local.server.port", "8080") : distribution.controlPlaneUrl());
        config.setProperty("TELEGRAM_RUNTIME", distribution.telegramRuntime());
        config.setProperty("HEARTBEAT_INTERVAL", distribution.heartbeatInterval().toSeconds() + "s");
        extras.orderedStream().forEach(e -> e.forNode(nodeId).forEach(config::setProperty));
        Path local = null;
        try {
            local = Files.createTempFile("worker-node-", ".properties",
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

    private static Path requireFile(String nodeId, Path file, String what) {
        if (file == null || !Files.isRegularFile(file)) {
            throw ApplicationFailure.newNonRetryableFailure("server " + nodeId + ", step upload worker-node distribution: "
                    + what + " is missing at " + (file == null ? "(not configured)" : file.toAbsolutePath()),
                    ServerOperationWorkflowImpl.NON_RETRYABLE);
        }
        return file;
    }

    private static InstalledFile view(RemoteFile file) {
        return new InstalledFile(file.path(), file.size(), file.sha256());
    }
}
