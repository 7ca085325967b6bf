package io.groupai.fleet.allocation.planner;

/** Mutable planning state of one eligible server during a single plan. Not shared between plans. */
final class ServerSlot {

    final ServerCandidate server;
    /** Position among the eligible servers in nodeId order; the universal tie-breaker. */
    final int index;

    final int max;
    int count;

    ServerSlot(ServerCandidate server, int index) {
        this.server = server;
        this.index = index;
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
