package io.groupai.fleet.workflows.agent;

/** Install one script version from the control plane ({@code GET /api/v1/group-ai/scripts/{id}/download}). */
public record InstallScriptRequest(String scriptId, String version, String downloadUrl, String sha256) {}
