package io.groupai.fleet.workflows;

import java.util.regex.Pattern;

/** Task queue names shared by the control plane and the worker nodes. */
public final class TaskQueues {

    /** Workflows and the activities that need SSH or the database. */
    public static final String CONTROL_PLANE = "control-plane";

    /** Node ids are also used in task queue names, workflow ids and remote paths, so they are strict. */
    public static final Pattern NODE_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private TaskQueues() {}

    /** The queue polled only by the worker-node agent of {@code nodeId} (host-specific task queue). */
    public static String node(String nodeId) {
        if (nodeId == null || !NODE_ID.matcher(nodeId).matches()) {
            throw new IllegalArgumentException("invalid node id: " + nodeId);
        }
        return "node-" + nodeId;
    }
}
