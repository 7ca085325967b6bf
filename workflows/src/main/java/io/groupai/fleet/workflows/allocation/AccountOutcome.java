package io.groupai.fleet.workflows.allocation;

import java.util.List;

/**
 * The end of one account's allocation. On failure {@code message} names the account, the server
 * and the step; {@code attempts} lists every server tried and why it was given up; {@code durationMillis} is
 * the account's own time from its first step to its outcome (workflow time).
 */
public record AccountOutcome(
        String accountId,
        boolean success,
        String serverId,
        String remotePath,
        Double loadScore,
        String message,
        List<String> attempts,
        long durationMillis) {}
