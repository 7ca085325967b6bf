package io.groupai.fleet.workflows;

/**
 * Workflow ids carry the entity they own, so Temporal itself refuses a second concurrent
 * operation on the same thing.
 */
public final class WorkflowIds {

    private WorkflowIds() {}

    public static String serverOperation(String nodeId) {
        return "server-op-" + nodeId;
    }

    public static String bootstrap(String nodeId) {
        return "bootstrap-" + nodeId;
    }

    public static String account(String accountId) {
        return "account-" + accountId;
    }

    public static String nodeSupervisor(String nodeId) {
        return "node-" + nodeId;
    }

    public static String failover(String nodeId) {
        return "failover-" + nodeId;
    }

    public static String deploy(String scriptId, String version) {
        return "deploy-" + scriptId + "-" + version;
    }

    /** One play of a multi-account scene per event in a group, whichever account saw it first. */
    public static String scene(long chatId, String eventKey) {
        return "scene-" + chatId + "-" + eventKey;
    }
}
