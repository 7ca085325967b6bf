package io.groupai.fleet.workflows.reconcile;

import java.util.List;

/**
 * What one server says: the accounts it runs and the session directories on its disk.
 *
 * @param source      where {@code running} comes from: {@code node} (its agent answered on its queue),
 *                    {@code heartbeat} (its latest heartbeat, the agent did not answer) or {@code none}
 *                    (neither: nothing is concluded about what it runs)
 * @param running     accounts it runs (any status but stopped/removed); empty when source is none
 * @param sessionDirs its session directories; null when they could not be listed
 * @param problem     why something could not be read, naming the server and step; null if all was read
 * @param leftOut     entries of {@code running} and {@code sessionDirs} left out of a report (it lists at most
 *                    {@link ReconcileReports#MAX_LISTED} of each per server); 0 when both are complete
 */
public record NodeView(
        String serverId,
        String status,
        String source,
        List<String> running,
        List<SessionDir> sessionDirs,
        String problem,
        int leftOut) {

    public static final String FROM_NODE = "node";
    public static final String FROM_HEARTBEAT = "heartbeat";
    public static final String UNKNOWN = "none";

    public NodeView(
            String serverId,
            String status,
            String source,
            List<String> running,
            List<SessionDir> sessionDirs,
            String problem) {
        this(serverId, status, source, running, sessionDirs, problem, 0);
    }

    public boolean reported() {
        return !UNKNOWN.equals(source);
    }
}
