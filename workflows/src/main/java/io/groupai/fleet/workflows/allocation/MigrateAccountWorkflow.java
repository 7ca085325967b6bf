package io.groupai.fleet.workflows.allocation;

import io.groupai.fleet.workflows.nodes.StepProgress;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * Moves one account to another server: reserve the target, stop on the source, export and fetch
 * the newest session, upload it to the target, switch the database row, start on the target,
 * verify, record history (rebalance). If the target fails, the account goes back to the source.
 * Id {@code account-<accountId>}, queue {@code control-plane}.
 *
 * <p>Assumes the source node answers on its queue: the account is stopped there before it is
 * started anywhere else, and a source that cannot be reached fails the migration (nothing moves).
 * Moving accounts off a dead node safely needs lease-based fencing (the node stops its accounts
 * when it cannot renew its lease, failover waits out the TTL), which the failover work adds.
 */
@WorkflowInterface
public interface MigrateAccountWorkflow {

    @WorkflowMethod
    MigrationResult migrate(MigrationRequest request);

    @QueryMethod
    List<StepProgress> progress();
}
