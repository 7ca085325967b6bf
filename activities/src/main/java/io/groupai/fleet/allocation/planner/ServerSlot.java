package io.groupai.fleet.allocation.planner;

/** Mutable planning state of one eligible server during a single plan. Not shared between plans. */
final class ServerSlot {

    final ServerCandidate server;
    /** Position in nodeId order (then input order); the universal tie-breaker. */
    final int rank;
    final int max;
    int count;

    ServerSlot(ServerCandidate server, int rank) {
        this.server = server;
        this.rank = rank;
        this.max = server.maxAccounts();
        this.count = server.committedAccounts();
    }

    boolean full() {
        return count >= max;
    }

    String nodeId() {
        return server.nodeId();
    }

    double weight() {
        return server.weight();
    }
}
