package io.groupai.fleet.workflows.allocation;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * Places accounts on servers: plan (strategy), reserve atomically in the database, upload the
 * session over SFTP, start the account on its node's queue, confirm, record history. Saga per
 * account: a failed step is compensated in reverse (stop, remove upload, release) and the
 * next-best server is tried, a bounded number of times. Runs on {@code control-plane}; id
 * {@code account-<accountId>} for one account, {@code allocate-<unique>} for auto and batch (each
 * account is still owned by one operation at a time through its database claim).
 */
@WorkflowInterface
public interface AllocateAccountsWorkflow {

    @WorkflowMethod
    AllocationResult allocate(AllocationRequest request);

    /** Per-account state, in request order. */
    @QueryMethod
    List<AccountProgress> progress();
}
