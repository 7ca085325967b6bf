package io.groupai.fleet.workflows.allocation;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Places accounts on servers: plan (strategy), reserve atomically in the database, upload the
 * session over SFTP, start the account on its node's queue, confirm, record history. Saga per
 * account: a failed step is compensated in reverse (stop, remove upload, release) and the
 * next-best server is tried, a bounded number of times. Runs on {@code control-plane}; id
 * {@code account-<accountId>} for one account, {@code allocate-<unique>} for auto and batch (each
 * account is still owned by one operation at a time through its database claim).
 *
 * <p>Accounts are handled in chunks of {@link AllocationRequest#effectiveChunkSize()}, each by a
 * child {@link AllocateChunkWorkflow} {@code <id>-chunk-<n>}; the workflow continues as new every
 * few dozen chunks, so the history of every run stays bounded however many accounts there are.
 */
@WorkflowInterface
public interface AllocateAccountsWorkflow {

    /**
     * Totals for every requested account; {@code outcomes} lists each account when there were at
     * most {@link AllocationResult#MAX_OUTCOMES}, else it is empty (see each chunk's result).
     */
    @WorkflowMethod
    AllocationResult allocate(AllocationRequest request);

    /** Totals so far and the chunk being worked on. */
    @QueryMethod
    AllocationProgress progress();

    /** The plan of the first chunk (the whole plan when the accounts fit one chunk); null until planned. */
    @QueryMethod
    PlanResult plan();
}
