package io.groupai.fleet.node;

import io.groupai.fleet.workflows.FailureTypes;

/**
 * A node operation failed. {@code step} names what was being done (e.g. {@code install-session}),
 * {@code accountId} may be null. Non-retryable when a retry cannot help (bad archive, foreign
 * session format, unknown account); the activity layer turns this into an ApplicationFailure.
 */
public class NodeOperationException extends RuntimeException {

    private final String step;
    private final String accountId;
    private final boolean nonRetryable;
    private final String type;

    public NodeOperationException(
            String step, String accountId, String type, String message, boolean nonRetryable, Throwable cause) {
        super(message, cause);
        this.step = step;
        this.accountId = accountId;
        this.type = type;
        this.nonRetryable = nonRetryable;
    }

    public static NodeOperationException rejected(String step, String accountId, String type, String message) {
        return new NodeOperationException(step, accountId, type, message, true, null);
    }

    public static NodeOperationException transientFailure(
            String step, String accountId, String message, Throwable cause) {
        return new NodeOperationException(step, accountId, FailureTypes.NODE_TRANSIENT_FAILURE, message, false, cause);
    }

    public String step() {
        return step;
    }

    public String accountId() {
        return accountId;
    }

    public boolean nonRetryable() {
        return nonRetryable;
    }

    /** ApplicationFailure type, so workflows can tell the reasons apart. */
    public String type() {
        return type;
    }
}
