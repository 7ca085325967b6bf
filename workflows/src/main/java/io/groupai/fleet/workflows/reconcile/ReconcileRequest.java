package io.groupai.fleet.workflows.reconcile;

import java.util.List;

/**
 * Input of {@link ReconcileWorkflow}, e.g. {@code {"dryRun": true}} or {@code {"serverIds": ["manila"]}}.
 *
 * @param dryRun    true: find and report every difference, change nothing
 * @param serverIds the servers to compare; null or empty: every registered server
 */
public record ReconcileRequest(boolean dryRun, List<String> serverIds) {

    public static ReconcileRequest repair() {
        return new ReconcileRequest(false, null);
    }

    public static ReconcileRequest dryRunAll() {
        return new ReconcileRequest(true, null);
    }
}
