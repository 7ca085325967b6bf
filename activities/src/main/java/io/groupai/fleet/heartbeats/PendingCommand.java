package io.groupai.fleet.heartbeats;

/** A queued command for a node: {@code action} update_script or upload_session, params as JSON. */
public record PendingCommand(
        long id, String nodeId, String action, String paramsJson, String status, int attempts, String error) {}
