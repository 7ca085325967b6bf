package io.groupai.fleet.workflows.nodes;

import io.groupai.fleet.workflows.agent.NodePing;
import java.util.List;

/**
 * Outcome of a successful bootstrap: every step with its duration, the agent's first answer on its
 * own queue, and the whole bootstrap's duration. A failed bootstrap is a FAILED workflow instead
 * (its progress query still lists the steps); {@code success} stays for clients of the seed's shape.
 */
public record BootstrapResult(
        String nodeId,
        boolean success,
        List<StepProgress> steps,
        NodePing agent,
        String message,
        long durationMillis) {}
