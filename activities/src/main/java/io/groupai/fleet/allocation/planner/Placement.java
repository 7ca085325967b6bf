package io.groupai.fleet.allocation.planner;

/**
 * One planned assignment.
 *
 * @param loadScore the chosen server's load score (configured model) when it was chosen, before this account
 * @param reason    why this server, for operators and the allocation history
 */
public record Placement(String accountId, String nodeId, double loadScore, String reason) {
}
