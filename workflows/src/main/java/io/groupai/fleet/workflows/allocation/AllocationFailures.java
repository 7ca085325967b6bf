package io.groupai.fleet.workflows.allocation;

/** ApplicationFailure types the allocation activities raise; all are non-retryable. */
public final class AllocationFailures {

    /** The server has no room left (counted in the database under a row lock). */
    public static final String NO_CAPACITY = "NoCapacity";
    /** The server is not active/healthy (disabled, down, draining, unhealthy) or not registered. */
    public static final String SERVER_NOT_ELIGIBLE = "ServerNotEligible";
    /** The account is already placed or claimed by another operation, or does not exist. */
    public static final String ACCOUNT_UNAVAILABLE = "AccountUnavailable";
    /**
     * A release, completion, failure mark or migration abort found the account's row not held by
     * this operation (another operation holds it, or its server contradicts the step): nothing was
     * changed, and retrying cannot help.
     */
    public static final String CLAIM_LOST = "ClaimLost";
    /** The control plane holds no session archive for the account. */
    public static final String NO_SESSION = "NoStoredSession";
    /** Input the activity cannot act on (unknown strategy, bad id). */
    public static final String INVALID = "InvalidAllocationRequest";

    private AllocationFailures() {
    }
}
