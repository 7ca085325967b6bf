package io.groupai.fleet.workflows.supervision;

/**
 * Input of {@link FailoverWorkflow}: {@code {"nodeId":"worker-01","reason":"down"}}.
 *
 * @param parallelism migrations at once; 0: {@link FailoverWorkflowImpl#DEFAULT_PARALLELISM}
 */
public record FailoverRequest(String nodeId, String reason, int parallelism) {}
