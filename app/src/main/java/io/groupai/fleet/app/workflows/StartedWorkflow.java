package io.groupai.fleet.app.workflows;

/** Returned by every call that starts a workflow: its id and where to follow its progress. */
public record StartedWorkflow(String workflowId, String runId, String workflowType, String statusUrl) {}
