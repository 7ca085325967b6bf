package io.groupai.fleet.workflows.allocation;

import io.groupai.fleet.workflows.nodes.StepProgress;
import java.util.List;

/** Where the account runs after the migration ({@code serverId}), and every step. */
public record MigrationResult(
        String accountId,
        boolean success,
        String sourceServerId,
        String targetServerId,
        String serverId,
        String message,
        List<StepProgress> steps) {}
