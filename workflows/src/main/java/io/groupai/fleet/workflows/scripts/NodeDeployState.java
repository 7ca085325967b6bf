package io.groupai.fleet.workflows.scripts;

import java.util.List;

/**
 * Where a deployment stands on one node: RUNNING, INSTALLED (the agent installed it and these
 * accounts reloaded it), QUEUED (the agent does not poll its queue: the seed's update_script
 * command waits for its next heartbeat) or FAILED (with the reason, naming node and step).
 */
public record NodeDeployState(
        String nodeId, Status status, String detail, List<String> reloadedAccounts, Long commandId) {

    public enum Status {
        RUNNING,
        INSTALLED,
        QUEUED,
        FAILED
    }
}
