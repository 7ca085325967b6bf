package io.groupai.fleet.workflows.scripts;

/** The seed's update_script heartbeat command for a worker that does not poll its Temporal queue. */
public record UpdateScriptCommand(String nodeId, String scriptId, String version, String downloadUrl, String sha256) {}
