package io.groupai.fleet.workflows.backup;

import io.groupai.fleet.workflows.nodes.StepProgress;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * Puts a backup back as the account's session (id {@code account-<accountId>}): verify it and make it
 * the stored session, stop the account on its node, upload it there (checksum checked on the node),
 * start it, verify it runs. Fails with {@code RestoreFailed}, naming account, server and step.
 */
@WorkflowInterface
public interface RestoreSessionWorkflow {

    @WorkflowMethod
    RestoreResult restore(RestoreRequest request);

    @QueryMethod
    List<StepProgress> progress();
}
