package io.groupai.fleet.workflows.nodes;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * Installs the worker-node agent on a server over SSH/SFTP. The configuration (with the node's
 * token) is rendered inside the activity from the database, so the token never enters a workflow.
 */
@ActivityInterface
public interface NodeInstallActivities {

    /**
     * Checks that the server can run the distribution (Linux, x86_64, glibc new enough, tar and gzip);
     * an unsupported server is a non-retryable failure that says what it has and what is needed.
     */
    @ActivityMethod
    ServerPlatform checkServer(String nodeId);

    /**
     * Installs the distribution's Java runtime at {@code <deploy_dir>/runtime} unless that exact
     * runtime is already there, and checks that it starts on the server.
     */
    @ActivityMethod
    InstalledRuntime installRuntime(String nodeId);

    /** Uploads the agent's jar and launcher to {@code <deploy_dir>/lib} and {@code /bin}. */
    @ActivityMethod
    List<InstalledFile> installDistribution(String nodeId);

    /** Writes {@code <deploy_dir>/conf/worker-node.properties} (0600) for this node. */
    @ActivityMethod
    InstalledFile writeNodeConfig(String nodeId);

    /**
     * Chooses how the agent runs (the server's {@code service_mode}, else the global one: {@code auto} takes
     * a systemd unit where the server allows one, else the pid file) and installs that: the unit written,
     * reloaded and enabled, not started. An agent running in another mode is stopped first and its unit
     * removed. {@code systemd} asked for on a server that cannot have a unit is a non-retryable failure
     * saying why. The choice is stored on the server row; start, stop and probe follow it.
     */
    @ActivityMethod
    InstalledService installService(String nodeId);
}
