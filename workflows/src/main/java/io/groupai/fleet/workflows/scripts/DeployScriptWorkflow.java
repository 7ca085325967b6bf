package io.groupai.fleet.workflows.scripts;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * Installs a script version on every chosen node in parallel (activity {@code installScript} on
 * each node's own queue, which also reloads the accounts running the script there). A node whose
 * agent does not pick the task up in time gets the seed's update_script command instead. Workflow
 * id {@code deploy-<scriptId>-<version>}.
 */
@WorkflowInterface
public interface DeployScriptWorkflow {

    @WorkflowMethod
    DeployScriptResult deploy(DeployScriptRequest request);

    /** One entry per node, RUNNING until it is done. */
    @QueryMethod
    List<NodeDeployState> progress();
}
