package io.groupai.fleet.workflows.supervision;

import java.util.List;

/**
 * Input of {@link NodeSupervisorWorkflow}: the node id, and what a previous run carries over through
 * continue-as-new (null fields on a fresh start).
 */
public record SupervisionState(
        String nodeId,
        String state,
        int consecutiveFailures,
        long lastProbeAtMillis,
        String lastProbe,
        String failoverWorkflowId,
        List<HealthEvent> history) {

    public static SupervisionState start(String nodeId) {
        return new SupervisionState(nodeId, null, 0, 0, null, null, List.of());
    }
}
