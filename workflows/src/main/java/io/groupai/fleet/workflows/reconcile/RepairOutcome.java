package io.groupai.fleet.workflows.reconcile;

/**
 * What became of a drift.
 *
 * @param outcome {@code planned} (dry run), {@code reported} (report-only action), {@code done},
 *                {@code skipped} (the row changed meanwhile; nothing done), {@code changed} (the account changed
 *                during the run, e.g. a migration finished between the listing and the comparison: not a
 *                drift, nothing done, no alert) or {@code failed}
 */
public record RepairOutcome(Drift drift, String outcome, String detail) {

    public static final String PLANNED = "planned";
    public static final String REPORTED = "reported";
    public static final String DONE = "done";
    public static final String SKIPPED = "skipped";
    public static final String FAILED = "failed";
    public static final String CHANGED = "changed";
}
