package io.groupai.fleet.nodes.ssh;

import java.time.Duration;

/**
 * The systemd unit of a node's worker-node agent, {@code groupai-node-<nodeId>.service}. One unit per
 * node id, so two nodes sharing a machine (different deploy dirs) get two units.
 *
 * <p>The unit holds no secret: the agent reads its node token from {@code conf/worker-node.properties}
 * (0600, written by bootstrap) itself, so neither the unit file nor {@code systemctl show} nor the journal
 * ever shows it, and a rotated token can still be written back to that file. Every value in it comes from
 * a validated {@link SshTarget} (no spaces, quotes or {@code %}, so no systemd escaping is needed).
 */
public final class SystemdUnit {

    private SystemdUnit() {}

    public static String name(String nodeId) {
        return "groupai-node-" + nodeId + ".service";
    }

    /**
     * @param userUnit  for {@code systemctl --user}: no {@code User=} and no sandboxing that a user
     *                  manager may be unable to set up
     * @param stopGrace how long {@code systemctl stop} waits after SIGTERM before SIGKILL, as in pid-file mode
     */
    public static String render(SshTarget target, boolean userUnit, Duration stopGrace) {
        String d = target.deployDir();
        StringBuilder unit = new StringBuilder();
        unit.append("# Installed by the Group AI Fleet control plane (bootstrap of node ")
                .append(target.nodeId())
                .append("); the next bootstrap rewrites it.\n")
                .append("# No secret here: the agent reads its node token from ")
                .append(d)
                .append("/conf/worker-node.properties (0600).\n")
                .append("[Unit]\n")
                .append("Description=Group AI Fleet worker-node agent (node ")
                .append(target.nodeId())
                .append(")\n")
                .append("After=network-online.target\n")
                .append("Wants=network-online.target\n")
                // At most 5 starts in 5 minutes, then the unit stays failed until someone starts it again.
                .append("StartLimitIntervalSec=300\n")
                .append("StartLimitBurst=5\n")
                .append("\n[Service]\n")
                .append("Type=exec\n");
        if (!userUnit) {
            unit.append("User=").append(target.user()).append('\n');
        }
        unit.append("WorkingDirectory=")
                .append(d)
                .append('\n')
                // The launcher runs <deploy_dir>/runtime/bin/java; JAVA_HOME names the same runtime.
                .append("Environment=JAVA_HOME=")
                .append(d)
                .append("/runtime\n")
                // The agent also writes its own log there (daily files, 30 kept), besides the journal.
                .append("Environment=WORKER_NODE_LOG_FILE=")
                .append(d)
                .append("/logs/worker-node.log\n")
                .append("ExecStart=")
                .append(d)
                .append("/bin/worker-node\n")
                .append("Restart=on-failure\n")
                .append("RestartSec=5\n")
                // 2: invalid configuration, which a restart cannot fix.
                .append("RestartPreventExitStatus=2\n")
                // The JVM exits with 143 after handling SIGTERM: a clean stop, not a failure.
                .append("SuccessExitStatus=143\n")
                // The whole cgroup: the agent and anything it started.
                .append("KillMode=control-group\n")
                .append("TimeoutStopSec=")
                .append(Math.max(1, stopGrace.toSeconds()))
                .append('\n')
                .append("StandardOutput=journal\n")
                .append("StandardError=journal\n")
                .append("SyslogIdentifier=groupai-node-")
                .append(target.nodeId())
                .append('\n')
                .append("UMask=0077\n")
                .append("NoNewPrivileges=yes\n");
        if (!userUnit) {
            unit.append("PrivateTmp=yes\n")
                    .append("ProtectSystem=full\n")
                    .append("ReadWritePaths=")
                    .append(d)
                    .append('\n');
        }
        unit.append("\n[Install]\n")
                .append("WantedBy=")
                .append(userUnit ? "default.target" : "multi-user.target")
                .append('\n');
        return unit.toString();
    }
}
