package io.groupai.fleet.allocation.planner;

import java.util.Objects;

/**
 * One planned assignment. Compares, hashes and prints like a record of its four values.
 *
 * <p>The planner's placements build their reason text only when {@link #reason()} is first read: the allocation
 * path never reads it, and for a million accounts formatting every reason cost more than choosing the servers.
 */
public final class Placement {

    private final String accountId;
    private final String nodeId;
    private final double loadScore;
    // Where the reason is formatted from, when it was not given ready-made.
    private final PlacementColumns columns;
    private final int row;
    private String reason;

    /**
     * @param loadScore the chosen server's load score (configured model) when it was chosen, before this account
     * @param reason    why this server, for operators and the allocation history
     */
    public Placement(String accountId, String nodeId, double loadScore, String reason) {
        this(accountId, nodeId, loadScore, null, -1);
        this.reason = reason;
    }

    /** Row {@code row} of a plan's placements; its reason is formatted on first use. */
    Placement(String accountId, String nodeId, double loadScore, PlacementColumns columns, int row) {
        this.accountId = accountId;
        this.nodeId = nodeId;
        this.loadScore = loadScore;
        this.columns = columns;
        this.row = row;
    }

    public String accountId() {
        return accountId;
    }

    public String nodeId() {
        return nodeId;
    }

    public double loadScore() {
        return loadScore;
    }

    public String reason() {
        String r = reason;
        if (r == null && columns != null) {
            r = columns.reason(row); // racing readers build equal strings; either may be kept
            reason = r;
        }
        return r;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Placement p
                && Objects.equals(accountId, p.accountId)
                && Objects.equals(nodeId, p.nodeId)
                && Double.compare(loadScore, p.loadScore) == 0
                && Objects.equals(reason(), p.reason());
    }

    @Override
    public int hashCode() {
        return Objects.hash(accountId, nodeId, loadScore, reason());
    }

    @Override
    public String toString() {
        return "Placement[accountId=" + accountId + ", nodeId=" + nodeId + ", loadScore=" + loadScore + ", reason="
                + reason() + "]";
    }
}
