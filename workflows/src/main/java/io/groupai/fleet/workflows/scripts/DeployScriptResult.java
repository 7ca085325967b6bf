package io.groupai.fleet.workflows.scripts;

import java.util.List;

/** {@code ok} when no node failed (installed or queued everywhere). */
public record DeployScriptResult(
        String scriptId, String version, boolean ok, List<NodeDeployState> nodes, String summary) {}
