package io.groupai.fleet.workflows.nodes;

import io.groupai.fleet.workflows.agent.NodePing;
import java.util.List;

/** Outcome of a bootstrap: every step, and the agent's first answer on its own queue. */
public record BootstrapResult(String nodeId, boolean success, List<StepProgress> steps, NodePing agent, String message) {
}
