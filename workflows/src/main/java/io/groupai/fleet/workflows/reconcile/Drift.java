package io.groupai.fleet.workflows.reconcile;

/**
 * One difference and the action planned for it.
 *
 * @param serverId         where the action happens (the node that runs it, holds the directory, or the
 *                         account's server)
 * @param otherServerId    the account's assigned server when the action happens elsewhere, or a migration's
 *                         reserved target
 * @param operationId      the orphaned operation, for ORPHANED_OPERATION
 * @param relatedAccountId the account row to keep, for DUPLICATE_ACCOUNT
 * @param scriptId         the account's script, for RESTART
 * @param alert            raised as an alert (logged at WARN with "ALERT", flagged in the history)
 */
public record Drift(
        DriftKind kind,
        String accountId,
        String serverId,
        String otherServerId,
        String operationId,
        String relatedAccountId,
        String scriptId,
        RepairAction action,
        boolean alert,
        String detail) {}
