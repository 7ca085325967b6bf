package io.groupai.fleet.heartbeats;

import java.time.Instant;
import java.util.List;

/**
 * What the control plane answers: the renewed lease, the commands to carry out, and the accounts
 * it did not take as reported (assigned elsewhere, or over the node's capacity).
 */
public record HeartbeatReply(
        Instant leaseExpiresAt, List<PendingCommand> pendingCommands, List<String> rejectedAccounts) {}
