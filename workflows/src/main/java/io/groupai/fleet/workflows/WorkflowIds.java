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

    /** The scheduled reconciliation (a Temporal Schedule, or a cron workflow on the Java test server). */
    public static String reconcileScheduled() {
        return "reconcile-scheduled";
    }

    /** A reconciliation started on demand; one at a time, so two never repair the same drift at once. */
    public static String reconcileNow() {
        return "reconcile-now";
    }

    /** A dry run (changes nothing, so any number may run). */
    public static String reconcileDryRun(String suffix) {
        return "reconcile-dry-run-" + suffix;
    }

    /** One rolling upgrade of the fleet at a time. */
    public static String rollingUpgrade() {
        return "rolling-upgrade";
    }

    /** The scheduled rebalance (a Temporal Schedule, or a cron workflow on the Java test server). */
    public static String rebalanceScheduled() {
        return "rebalance-scheduled";
    }

    /** A rebalance started on demand; one at a time. */
    public static String rebalanceNow() {
        return "rebalance-now";
    }

    /** The scheduled session backup (a Temporal Schedule, or a cron workflow on the Java test server). */
    public static String sessionBackupScheduled() {
        return "session-backup-scheduled";
    }

    /** A session backup started on demand; one at a time. Its per-account children are {@link #account}. */
    public static String sessionBackupNow() {
        return "session-backup-now";
    }

    public static String deploy(String scriptId, String version) {
        return "deploy-" + scriptId + "-" + version;
    }

    /** One play of a multi-account scene per event in a group, whichever account saw it first. */
    public static String scene(long chatId, String eventKey) {
        return "scene-" + chatId + "-" + eventKey;
    }
}
