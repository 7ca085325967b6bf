package io.groupai.fleet.workflows.reconcile;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An account row as the reconciler compares it.
 *
 * @param operationState   for a row held by an operation: RUNNING, NOT_FOUND, or the closed status
 *                         (COMPLETED, FAILED, TERMINATED, CANCELED, TIMED_OUT, CONTINUED_AS_NEW); null if none holds it
 * @param operationStale   the holding workflow runs, but longer than the configured bound
 *                         ({@code groupai.reconcile.max-operation-age})
 * @param restartAttempts  restarts the reconciler already tried without the server reporting it running
 * @param storedSha256     SHA-256 of the session store's archive, when asked for (session directories) and present
 * @param storedMillis     its modification time (epoch millis)
 * @param reportedBy       the node whose heartbeat last reported it (accounts.source_node) when that is not its
 *                         server, else null: where it may run when its server does not
 */
// Thousands ride in each page's snapshot, most fields null: left out, a row is about half the size.
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AccountRow(
        String accountId,
        String serverId,
        String reservedServerId,
        String status,
        String scriptId,
        String operationId,
        String operationState,
        boolean operationStale,
        int restartAttempts,
        String storedSha256,
        Long storedMillis,
        String reportedBy) {

    public AccountRow(
            String accountId,
            String serverId,
            String reservedServerId,
            String status,
            String scriptId,
            String operationId,
            String operationState,
            boolean operationStale,
            int restartAttempts,
            String storedSha256,
            Long storedMillis) {
        this(
                accountId,
                serverId,
                reservedServerId,
                status,
                scriptId,
                operationId,
                operationState,
                operationStale,
                restartAttempts,
                storedSha256,
                storedMillis,
                null);
    }

    public static final String RUNNING = "RUNNING";
    public static final String NOT_FOUND = "NOT_FOUND";

    /** Held by an operation that is still working on it within the bound: the reconciler leaves it alone. */
    public boolean inFlight() {
        return operationId != null && RUNNING.equals(operationState) && !operationStale;
    }
}
