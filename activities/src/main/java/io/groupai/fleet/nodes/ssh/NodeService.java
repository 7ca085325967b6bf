package io.groupai.fleet.nodes.ssh;

import java.util.Locale;
import java.util.Optional;

/**
 * How the worker-node agent runs on a server, which decides how it is started, stopped and probed.
 * Bootstrap chooses it (see {@link ServiceDetection}) and the server row keeps it.
 */
public enum NodeService {
    /** Started with {@code setsid} by the control plane, tracked by {@code <deploy_dir>/run/worker-node.pid}. */
    PIDFILE("pidfile"),
    /** A system unit in {@code /etc/systemd/system}, installed and controlled as root or through {@code sudo -n}. */
    SYSTEMD("systemd"),
    /** A unit of the SSH user's own systemd manager ({@code systemctl --user}); needs lingering enabled. */
    SYSTEMD_USER("systemd-user");

    private final String wireName;

    NodeService(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public boolean systemd() {
        return this != PIDFILE;
    }

    /** A stored value; an unknown or absent one is the pid-file mode every node ran before modes existed. */
    public static NodeService fromStored(String value) {
        return fromWire(value).orElse(PIDFILE);
    }

    public static Optional<NodeService> fromWire(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        for (NodeService s : values()) {
            if (s.wireName.equals(v)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
