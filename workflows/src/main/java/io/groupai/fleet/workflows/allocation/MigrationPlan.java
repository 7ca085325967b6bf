package io.groupai.fleet.workflows.allocation;

/** A reserved move: the target's capacity is held, the account still belongs to the source. */
public record MigrationPlan(
        String accountId, String sourceServerId, String targetServerId, double loadScore, String scriptId) {}
