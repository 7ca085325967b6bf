package io.groupai.fleet.workflows.supervision;

import java.util.List;

/**
 * The supervisor's view of one server (its {@code health} query, also served over REST).
 *
 * @param state               unknown (no lease yet), up, suspect (failed checks below the threshold), down
 * @param consecutiveFailures failed checks in a row
 * @param lastCheckAt         ISO-8601, workflow time
 * @param lastProbe           the latest SSH probe and ping, as text
 * @param failoverWorkflowId  the failover started when the server went down, if any
 * @param history             recent events, oldest first
 */
public record NodeHealth(
        String nodeId,
        String state,
        int consecutiveFailures,
        String lastCheckAt,
        String leaseExpiresAt,
        String lastHeartbeat,
        String lastProbe,
        String failoverWorkflowId,
        List<HealthEvent> history) {}
