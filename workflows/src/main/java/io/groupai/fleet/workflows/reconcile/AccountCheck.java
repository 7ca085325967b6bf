package io.groupai.fleet.workflows.reconcile;

/**
 * An account as re-read right before the reconciler acts on a drift of it.
 *
 * @param row             its row now (operation fields unset: the reconciler compares placement only); null when
 *                        the database has no such account
 * @param runningWorkflow the id of the workflow {@code account-<id>} when one runs for it now (a migration,
 *                        failover, allocation, backup or restore), else null
 */
public record AccountCheck(String accountId, AccountRow row, String runningWorkflow) {}
