package io.groupai.fleet.app.workflows;

import java.time.Instant;

/** A workflow this app started, as recorded for its API and pages. */
public record WorkflowRun(
        String workflowId,
        String runId,
        String workflowType,
        String subject,
        String status,
        String detail,
        Instant startedAt,
        Instant closedAt) {}
