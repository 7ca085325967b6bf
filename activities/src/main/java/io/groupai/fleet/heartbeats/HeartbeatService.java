package io.groupai.fleet.heartbeats;

import io.groupai.fleet.registry.AccountRecord;
import io.groupai.fleet.registry.AccountReport;
import io.groupai.fleet.registry.AccountRepository;
import io.groupai.fleet.registry.ServerRepository;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Applies a heartbeat: renews the node's lease, syncs the accounts it reports into the database
 * (which stays the source of every count), settles acknowledged commands and hands out the
 * pending ones — all in one transaction.
 *
 * <p>Sync rules: an account assigned to this node gets its status and counters; an unknown or
 * unassigned account that the node hosts is assigned to it if the node has room (otherwise it is
 * recorded without a server); one it reports as {@code stopped} — listed but not hosted, e.g. a
 * placement that was just undone — is recorded but never claimed. (Seed workers report
 * online/offline/error for accounts that do live on them, so those are claimed.) An
 * account assigned to another server is never moved by a report — it is only marked as seen on
 * this node and returned in {@code rejectedAccounts}, since running on two servers at once is
 * exactly what the system must prevent.
 */
@Service
public class HeartbeatService {

    private static final Logger log = LoggerFactory.getLogger(HeartbeatService.class);

    /** Reported statuses of accounts a node lists without hosting them. */
    static final Set<String> NOT_HOSTED = Set.of("stopped", "removed");

    private final ServerRepository servers;
    private final AccountRepository accounts;
    private final NodeCommandQueue commands;
    private final HeartbeatProperties properties;
    private final Clock clock;

    public HeartbeatService(ServerRepository servers, AccountRepository accounts, NodeCommandQueue commands,
                            HeartbeatProperties properties, Clock clock) {
        this.servers = servers;
        this.accounts = accounts;
        this.commands = commands;
        this.properties = properties;
        this.clock = clock;
    }

    @Transactional
    public HeartbeatReply accept(Heartbeat heartbeat) {
        String nodeId = heartbeat.nodeId();
        Instant now = clock.instant();
        Instant leaseExpiresAt = now.plus(properties.leaseTtl());
        // Locks the server row first: concurrent placements on this node wait for this sync.
        servers.recordHeartbeat(nodeId, now, leaseExpiresAt, heartbeat.status(), heartbeat.accounts().size());
        int capacity = servers.get(nodeId).maxAccounts();

        List<String> rejected = new ArrayList<>();
        for (AccountReport reported : heartbeat.accounts()) {
            Optional<AccountRecord> known = accounts.find(reported.accountId());
            String assigned = known.map(AccountRecord::serverId).orElse(null);
            if (assigned != null && !assigned.equals(nodeId)) {
                accounts.markSeenOn(reported.accountId(), nodeId, now);
                rejected.add(reported.accountId());
                log.warn("node {} reports account {} which is assigned to {}; not moved", nodeId, reported.accountId(), assigned);
                continue;
            }
            boolean hosted = !NOT_HOSTED.contains(reported.status());
            boolean place = assigned == null && hosted && accounts.countCommittedTo(nodeId) < capacity;
            if (assigned == null && hosted && !place) {
                rejected.add(reported.accountId());
                log.warn("node {} reports account {} but is full ({}/{}); recorded without a server", nodeId,
                        reported.accountId(), capacity, capacity);
            }
            if (known.isEmpty()) {
                accounts.insertReported(reported, nodeId, place, now);
            } else {
                accounts.applyReport(reported, nodeId, assigned != null || place, now);
            }
        }

        commands.acknowledge(nodeId, heartbeat.ackedCommands());
        heartbeat.failedCommands().forEach(f -> commands.fail(nodeId, f.id(), f.error()));
        List<PendingCommand> pending = commands.deliver(nodeId);
        return new HeartbeatReply(leaseExpiresAt, pending, rejected);
    }
}
