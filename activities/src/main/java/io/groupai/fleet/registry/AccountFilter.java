package io.groupai.fleet.registry;

/**
 * Listing filter; null fields match everything. {@code unallocated} selects accounts without a server;
 * {@code sourceNode} the accounts a node reported as running ("seen on") that node.
 */
public record AccountFilter(String serverId, String status, Boolean unallocated, String sourceNode) {

    public AccountFilter(String serverId, String status, Boolean unallocated) {
        this(serverId, status, unallocated, null);
    }
}
