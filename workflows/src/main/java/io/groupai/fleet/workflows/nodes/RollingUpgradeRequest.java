package io.groupai.fleet.workflows.nodes;

import java.util.List;

/**
 * @param nodeIds              servers in upgrade order; the first is the canary, upgraded alone
 * @param batchSize            servers upgraded at once after the canary (default 2)
 * @param healthTimeoutSeconds how long a server's agent and accounts have to come back (default 120)
 */
public record RollingUpgradeRequest(List<String> nodeIds, Integer batchSize, Integer healthTimeoutSeconds) {}
