package io.groupai.fleet.allocation.planner;

/**
 * Where round robin continues: the nodeId to serve next and how many turns it already had in its current
 * visit (a heavier server takes several turns per visit). Keyed by nodeId rather than an index so that adding
 * or removing servers between plans does not shift it; an unknown nodeId continues at the next nodeId in order.
 *
 * @param nextNodeId server to try first, or {@code null} to start at the smallest nodeId
 * @param turnsTaken turns {@code nextNodeId} already had in its current visit
 */
public record RoundRobinCursor(String nextNodeId, int turnsTaken) {

    /** Start at the smallest nodeId. */
    public static final RoundRobinCursor START = new RoundRobinCursor(null, 0);

    public RoundRobinCursor {
        if (turnsTaken < 0) {
            throw new IllegalArgumentException("turnsTaken must be >= 0, was " + turnsTaken);
        }
    }

    /** Start at the given server with a fresh visit. */
    public static RoundRobinCursor at(String nodeId) {
        return new RoundRobinCursor(nodeId, 0);
    }
}
