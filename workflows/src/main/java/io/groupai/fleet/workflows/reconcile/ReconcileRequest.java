package io.groupai.fleet.workflows.reconcile;

import java.util.List;

/**
 * Input of {@link ReconcileWorkflow}, e.g. {@code {"dryRun": true}} or {@code {"serverIds": ["manila"]}}.
 *
 * @param dryRun    true: find and report every difference, change nothing
 * @param serverIds the servers to compare; null or empty: every registered server
 * @param pageSize  servers per page (one child workflow each); null: {@link #DEFAULT_PAGE_SIZE}
 * @param resume    set by the workflow itself when it continues as new; null when started
 */
public record ReconcileRequest(boolean dryRun, List<String> serverIds, Integer pageSize, ReconcileContinuation resume) {

    /**
     * 50 servers of about 100 accounts each: a page's snapshot (its ~5,000 rows) stays near half a megabyte,
     * well under Temporal's 2 MB payload and 4 MB message limits.
     */
    public static final int DEFAULT_PAGE_SIZE = 50;

    public ReconcileRequest(boolean dryRun, List<String> serverIds) {
        this(dryRun, serverIds, null, null);
    }

    public static ReconcileRequest repair() {
        return new ReconcileRequest(false, null);
    }

    public static ReconcileRequest dryRunAll() {
        return new ReconcileRequest(true, null);
    }

    public int effectivePageSize() {
        return pageSize == null || pageSize < 1 ? DEFAULT_PAGE_SIZE : pageSize;
    }

    public ReconcileRequest withPageSize(int size) {
        return new ReconcileRequest(dryRun, serverIds, size, resume);
    }

    public ReconcileRequest resumeAt(ReconcileContinuation at) {
        return new ReconcileRequest(dryRun, serverIds, pageSize, at);
    }
}
