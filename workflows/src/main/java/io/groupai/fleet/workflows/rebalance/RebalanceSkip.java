package io.groupai.fleet.workflows.rebalance;

/**
 * Something the rebalance leaves alone, and why (a down server, an account without room, a move
 * deferred by max_moves).
 *
 * @param accountId null when the reason concerns a whole server
 */
public record RebalanceSkip(String accountId, String serverId, String reason) {}
