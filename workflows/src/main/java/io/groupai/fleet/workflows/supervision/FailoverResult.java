package io.groupai.fleet.workflows.supervision;

import java.util.List;

/**
 * What a failover did: every account of the node is either moved (with its new server) or not
 * moved (with why, e.g. no room anywhere): none is dropped.
 */
public record FailoverResult(String nodeId, int accounts, List<Moved> moved, List<NotMoved> notMoved, String message) {

    public record Moved(String accountId, String serverId) {}

    public record NotMoved(String accountId, String reason) {}
}
