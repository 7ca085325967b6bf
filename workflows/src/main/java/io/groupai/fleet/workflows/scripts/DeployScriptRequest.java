package io.groupai.fleet.workflows.scripts;

import java.util.List;

/**
 * Install one stored script version on the chosen nodes. The app fills in the version's SHA-256
 * and both download forms: {@code downloadPath} (relative, resolved by each agent against its own
 * control plane) and {@code downloadUrl} (absolute, for heartbeat-only workers' update_script).
 *
 * @param scheduleToStartSeconds how long a node's agent has to pick the install up from its queue
 *                               before the node is treated as heartbeat-only (default 30)
 */
public record DeployScriptRequest(
        String scriptId,
        String version,
        String sha256,
        String downloadPath,
        String downloadUrl,
        List<String> nodeIds,
        Integer scheduleToStartSeconds) {}
