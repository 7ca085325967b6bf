package io.groupai.fleet.workflows.nodes;

/**
 * One server in a rolling upgrade.
 *
 * @param state   PENDING, UPGRADING, UPGRADED, ROLLED_BACK (the new agent failed, the previous one runs
 *                again), FAILED (the rollback failed too) or SKIPPED (the rollout stopped before it)
 * @param step    the step running now, or the one that failed
 * @param detail  versions, accounts back online, or what went wrong
 */
public record ServerUpgrade(
        String nodeId, String state, String step, String previousVersion, String newVersion, String detail) {

    public static ServerUpgrade pending(String nodeId) {
        return new ServerUpgrade(nodeId, "PENDING", null, null, null, null);
    }

    public ServerUpgrade at(String state, String step, String detail) {
        return new ServerUpgrade(nodeId, state, step, previousVersion, newVersion, detail);
    }

    public ServerUpgrade versions(String previous, String next) {
        return new ServerUpgrade(nodeId, state, step, previous, next, detail);
    }
}
