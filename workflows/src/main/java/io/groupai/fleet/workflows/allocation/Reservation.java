package io.groupai.fleet.workflows.allocation;

/**
 * A held claim: the account's row now names the server (status allocating).
 *
 * @param loadScore the server's load score before this account, for the history
 * @param scriptId  the account's dialogue script, started with it (may be null)
 */
public record Reservation(String accountId, String serverId, double loadScore, String scriptId) {}
