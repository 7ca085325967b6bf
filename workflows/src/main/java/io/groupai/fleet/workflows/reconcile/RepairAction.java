package io.groupai.fleet.workflows.reconcile;

/** What the reconciler does about a drift. */
public enum RepairAction {
    /** Orphaned operation, account running on its server: finish it (online, history written). */
    FINISH,
    /** Orphaned allocation, account not running: give the claim back (unassigned). */
    RELEASE,
    /** Orphaned migration before its switch: back on the source, target reservation dropped. */
    ABORT_MIGRATION,
    /** Orphaned migration after its switch, not running: kept on the target, claim cleared (restarted below). */
    SETTLE_OFFLINE,
    /** Keep the account on its server marked failed, with the reason (node unreachable, restarts exhausted). */
    MARK_FAILED,
    /** Stop the account on this node (through the node's queue). */
    STOP,
    /** Start the account on its assigned server (uploading the stored session first if the node has none). */
    RESTART,
    /** Remove the orphan session directory: the session store holds a copy at least as new. */
    REMOVE_DIR,
    /** Report only: the orphan directory may hold the only or newest copy of the session. */
    KEEP_DIR,
    /** Report only: merge the duplicate account rows (the operator decides; see the detail). */
    MERGE;

    /** Actions that only report; they change nothing and are not written to the history. */
    public boolean reportOnly() {
        return this == KEEP_DIR || this == MERGE;
    }
}
