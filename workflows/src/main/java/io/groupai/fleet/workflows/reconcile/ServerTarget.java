package io.groupai.fleet.workflows.reconcile;

import java.util.List;

/**
 * A registered server as the reconciler sees it before asking the node.
 *
 * @param status           active, draining, disabled or down (accounts are restarted only on active ones)
 * @param heartbeatRunning the accounts its latest heartbeat listed as running, when that heartbeat is
 *                         younger than the lease TTL; null when there is none
 */
public record ServerTarget(String nodeId, String status, List<String> heartbeatRunning) {}
