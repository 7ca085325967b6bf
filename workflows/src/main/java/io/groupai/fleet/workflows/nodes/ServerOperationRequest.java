package io.groupai.fleet.workflows.nodes;

/**
 * Input of {@link ServerOperationWorkflow}. Small and JSON-friendly so an operator can start the
 * workflow from the Temporal UI or CLI: {@code {"nodeId":"worker-01","action":"STATUS"}}.
 */
public record ServerOperationRequest(String nodeId, ServerAction action) {}
