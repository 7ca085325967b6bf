package io.groupai.fleet.workflows;

import io.temporal.common.metadata.POJOWorkflowInterfaceMetadata;
import java.util.Set;

/**
 * Workflow type names: what Temporal, the CLI, schedules and the run records call our workflows.
 * Each is the type its {@code @WorkflowInterface} declares (the interface's simple name unless
 * {@code @WorkflowMethod(name)} says otherwise); {@code ContractsTest} checks that they agree.
 * Constants, not derived at run time, so they can label switches and maps.
 */
public final class WorkflowTypes {

    /** {@link io.groupai.fleet.workflows.allocation.AllocateAccountsWorkflow}. */
    public static final String ALLOCATE_ACCOUNTS = "AllocateAccountsWorkflow";
    /** {@link io.groupai.fleet.workflows.allocation.AllocateChunkWorkflow}, a child of ALLOCATE_ACCOUNTS. */
    public static final String ALLOCATE_CHUNK = "AllocateChunkWorkflow";
    /** {@link io.groupai.fleet.workflows.allocation.MigrateAccountWorkflow}. */
    public static final String MIGRATE_ACCOUNT = "MigrateAccountWorkflow";
    /** {@link io.groupai.fleet.workflows.nodes.BootstrapNodeWorkflow}. */
    public static final String BOOTSTRAP_NODE = "BootstrapNodeWorkflow";
    /** {@link io.groupai.fleet.workflows.nodes.ServerOperationWorkflow}. */
    public static final String SERVER_OPERATION = "ServerOperationWorkflow";
    /** {@link io.groupai.fleet.workflows.reconcile.ReconcileWorkflow}. */
    public static final String RECONCILE = "ReconcileWorkflow";
    /** {@link io.groupai.fleet.workflows.reconcile.ReconcileChunkWorkflow}, one page of RECONCILE. */
    public static final String RECONCILE_CHUNK = "ReconcileChunkWorkflow";
    /** {@link io.groupai.fleet.workflows.scripts.DeployScriptWorkflow}. */
    public static final String DEPLOY_SCRIPT = "DeployScriptWorkflow";
    /** {@link io.groupai.fleet.workflows.scripts.MultiAccountSceneWorkflow}, started by a node. */
    public static final String MULTI_ACCOUNT_SCENE = "MultiAccountSceneWorkflow";

    /** {@link io.groupai.fleet.workflows.supervision.NodeSupervisorWorkflow}, one per server. */
    public static final String NODE_SUPERVISOR = "NodeSupervisorWorkflow";
    /** {@link io.groupai.fleet.workflows.supervision.FailoverWorkflow}. */
    public static final String FAILOVER = "FailoverWorkflow";
    /** {@link io.groupai.fleet.workflows.nodes.RollingUpgradeWorkflow}. */
    public static final String ROLLING_UPGRADE = "RollingUpgradeWorkflow";
    /** {@link io.groupai.fleet.workflows.rebalance.RebalanceWorkflow}. */
    public static final String REBALANCE = "RebalanceWorkflow";

    /** {@link io.groupai.fleet.workflows.backup.SessionBackupWorkflow}: a run over all running accounts. */
    public static final String SESSION_BACKUP = "SessionBackupWorkflow";
    /** {@link io.groupai.fleet.workflows.backup.BackupAccountWorkflow}, a child of SESSION_BACKUP. */
    public static final String BACKUP_ACCOUNT = "BackupAccountWorkflow";
    /** {@link io.groupai.fleet.workflows.backup.RestoreSessionWorkflow}. */
    public static final String RESTORE_SESSION = "RestoreSessionWorkflow";

    private static final Set<String> ALL = Set.copyOf(Constants.of(WorkflowTypes.class));

    private WorkflowTypes() {}

    /** Every type above. */
    public static Set<String> all() {
        return ALL;
    }

    /** The type name Temporal uses for a {@code @WorkflowInterface}. */
    public static String of(Class<?> workflowInterface) {
        return POJOWorkflowInterfaceMetadata.newInstance(workflowInterface)
                .getWorkflowType()
                .orElseThrow(
                        () -> new IllegalArgumentException(workflowInterface.getName() + " has no @WorkflowMethod"));
    }
}
