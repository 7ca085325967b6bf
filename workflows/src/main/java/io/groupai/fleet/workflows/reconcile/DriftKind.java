package io.groupai.fleet.workflows.reconcile;

/** The kinds of difference between the database, the nodes and their disks. */
public enum DriftKind {
    /** operation_id is set but its workflow is gone, closed, or has held the row longer than the bound. */
    ORPHANED_OPERATION,
    /** A node runs an account the database does not assign to it, and the assigned server does not run it. */
    RUNNING_UNASSIGNED,
    /** The account runs on its assigned server AND on another one. Must never happen; counted and alerted. */
    DOUBLE_RUN,
    /** Assigned and expected to run, but its server does not report it. */
    NOT_RUNNING,
    /** A session directory on a server the account is not assigned to (or of an unknown account). */
    ORPHAN_SESSION_DIR,
    /** The same Telegram user id under two account ids. */
    DUPLICATE_ACCOUNT
}
