package io.groupai.fleet.workflows.allocation;

/**
 * Where one account is in the allocation: {@code state} is PENDING, RESERVING, UPLOADING, STARTING,
 * CONFIRMING, RECORDING, COMPENSATING, PLACED or FAILED; {@code attempt} counts servers tried.
 */
public record AccountProgress(String accountId, String state, String serverId, int attempt, String detail) {}
