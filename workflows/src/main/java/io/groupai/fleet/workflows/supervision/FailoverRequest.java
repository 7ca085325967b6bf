package io.groupai.fleet.workflows.supervision;

/**
 * Input of {@link FailoverWorkflow}: {@code {"nodeId":"worker-01","reason":"down"}}.
 *
 * @param parallelism   migrations at once; 0: {@link FailoverWorkflowImpl#DEFAULT_PARALLELISM}
 * @param marginSeconds how long after the node's lease expired it counts as fenced (clock skew, the
 *                      agent's once-a-second lease check); 0: {@link FailoverWorkflowImpl#DEFAULT_MARGIN}
 */
public record FailoverRequest(String nodeId, String reason, int parallelism, long marginSeconds) {}
