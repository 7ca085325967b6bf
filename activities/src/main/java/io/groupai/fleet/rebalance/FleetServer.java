package io.groupai.fleet.rebalance;

import java.util.List;
import java.util.Objects;

/**
 * A server as the rebalance planner sees it.
 *
 * @param maxAccounts   capacity ({@code max_accounts})
 * @param accounts      the accounts that may move: placed here and held by no operation, in id order
 * @param pinned        accounts that count against capacity here but cannot move now (held by an
 *                      allocation or migration in flight, reserved as a migration's target, failed)
 * @param eligible      may receive accounts: active, healthy, answered, lease valid
 * @param notEligible   why not, when it may not
 * @param down          marked down by its supervisor (or its lease ran out): failover's job, left alone
 * @param latencyMillis its last probe's round trip; null when never measured
 */
public record FleetServer(
        String nodeId,
        int maxAccounts,
        List<String> accounts,
        int pinned,
        boolean eligible,
        String notEligible,
        boolean down,
        Long latencyMillis) {

    public FleetServer {
        Objects.requireNonNull(nodeId, "nodeId");
        accounts = List.copyOf(accounts);
        if (maxAccounts < 0 || pinned < 0) {
            throw new IllegalArgumentException(nodeId + ": maxAccounts and pinned must be >= 0");
        }
    }

    /** Accounts counted against capacity. */
    public int count() {
        return accounts.size() + pinned;
    }
}
