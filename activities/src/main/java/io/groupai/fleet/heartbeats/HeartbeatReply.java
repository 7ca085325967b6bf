package io.groupai.fleet.heartbeats;

import java.time.Instant;
import java.util.List;

/**
 * What the control plane answers: the renewed lease, the commands to carry out, the accounts it
 * did not take as reported (assigned elsewhere, or over the node's capacity), and the accounts the
 * database assigns to the node, which the node brings back after its agent starts or after its
 * lease lapsed and is renewed (it stopped them when the lease ran out); null unless the heartbeat
 * asked for them ({@code want_assigned_accounts}).
 */
public record HeartbeatReply(
        Instant leaseExpiresAt,
        List<PendingCommand> pendingCommands,
        List<String> rejectedAccounts,
        List<AssignedAccount> assignedAccounts) {

    /** An account the node should run, with the script it runs. */
    public record AssignedAccount(String accountId, String scriptId) {}
}
