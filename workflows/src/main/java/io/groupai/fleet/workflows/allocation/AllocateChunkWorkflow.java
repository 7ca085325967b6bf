package io.groupai.fleet.workflows.allocation;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * One chunk of an {@link AllocateAccountsWorkflow}, started by it as a child with id
 * {@code <parentId>-chunk-<n>}: runs each planned account's saga (reserve, upload, start,
 * confirm, record; compensate in reverse and try the next-best server) with bounded parallelism.
 * A chunk holds a bounded number of accounts, so its history stays bounded too.
 */
@WorkflowInterface
public interface AllocateChunkWorkflow {

    /** One outcome per planned account, in plan order; never fails because one account failed. */
    @WorkflowMethod
    AllocationResult allocate(ChunkRequest request);

    /** Per-account state, in plan order. */
    @QueryMethod
    List<AccountProgress> progress();
}
