package io.groupai.fleet.workflows.allocation;

import io.groupai.fleet.workflows.FailureTypes;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * Control-plane activities backed by the database (the authority on placement and counts). Every
 * method is idempotent for the same workflow id, so Temporal retries are safe. Refusals are
 * non-retryable ApplicationFailures typed by {@link FailureTypes}.
 */
@ActivityInterface(namePrefix = "Allocation")
public interface AllocationActivities {

    /** Up to {@code limit} ids of accounts without a server, in id order, after {@code afterAccountId} (null: from the start). */
    @ActivityMethod
    List<String> unallocatedAccounts(String afterAccountId, int limit);

    /** Loads servers and counts from the database and runs the planner; places nothing. */
    @ActivityMethod
    PlanResult plan(PlanRequest request);

    /**
     * Atomically claims the account for the server: under a row lock on the server, counts placed
     * and reserved accounts against max_accounts, then sets the account's server only if it has
     * none. Already claimed by the same workflow for the same server: returns the claim again.
     */
    @ActivityMethod
    Reservation reserve(ReserveRequest request);

    /**
     * {@link #reserve} for several accounts on one server, in request order: one transaction, one
     * lock on the server, one capacity count. Each account is claimed or refused on its own (a
     * refused item names why and changed nothing), so one account never fails its siblings. {@link
     * OneByOne#reserve} does it one account at a time, for implementations without a cheaper way.
     */
    @ActivityMethod
    List<ReservedAccount> reserveBatch(ReserveBatchRequest request);

    /** Gives the claim back (only the claim this workflow holds); a no-op when it is gone. */
    @ActivityMethod
    void release(ReserveRequest request);

    /**
     * Keeps the account on the server but marks it failed: used when it may still run there (a
     * start happened and the stop could not be confirmed), so it is never placed twice.
     */
    @ActivityMethod
    void markFailed(ReserveRequest request, String reason);

    /** Writes allocation_history and marks the account online. Idempotent per workflow. */
    @ActivityMethod
    void complete(CompleteRequest request);

    /**
     * {@link #complete} for several accounts: the accounts whose completion failed, with why (an
     * empty map when all are recorded). Each account is completed or refused on its own.
     */
    @ActivityMethod
    java.util.Map<String, String> completeBatch(List<CompleteRequest> requests);

    /**
     * Chooses (or checks) the migration target and reserves its capacity; the account keeps its
     * source server until {@link #commitMigration}.
     */
    @ActivityMethod
    MigrationPlan prepareMigration(MigrationRequest request, String workflowId);

    /** Moves the account's server from source to the reserved target, atomically. */
    @ActivityMethod
    void commitMigration(MigrationPlan plan, String workflowId);

    /** Puts the account back on its source and drops the target reservation (before or after commit). */
    @ActivityMethod
    void abortMigration(MigrationPlan plan, String workflowId, String reason);
}
