package io.groupai.fleet.workflows.agent;

/** Start an account on the node; {@code scriptId} may be null (no dialogue script). */
public record StartAccountRequest(String accountId, String scriptId) {}
