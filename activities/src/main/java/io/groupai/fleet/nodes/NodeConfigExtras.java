package io.groupai.fleet.nodes;

import java.util.Map;

/**
 * Extra keys that bootstrap writes into one node's {@code conf/worker-node.properties}, for nodes
 * that need a setting the others must not get (e.g. the local demo's agents exit by themselves
 * once the app is gone). Beans of this type are optional.
 */
public interface NodeConfigExtras {

    /** The agent exits after the control plane has been unreachable this long (off unless written). */
    String EXIT_AFTER_CONTROL_PLANE_LOST = "EXIT_AFTER_CONTROL_PLANE_LOST";

    /** Keys and values for this node; empty for none. */
    Map<String, String> forNode(String nodeId);
}
