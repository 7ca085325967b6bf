package io.groupai.fleet.app.scripts;

import io.groupai.fleet.registry.NotFoundException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * What the nodes' dialogue managers need from the control plane: every Telegram user id of the fleet's
 * accounts (scripts never answer another account of the fleet unless a script says so) and the groups
 * each account may talk in. A heartbeat reply carries only a version (a hash) of a node's view; the node
 * downloads the view ({@code GET /api/v1/workers/{node_id}/dialogue}) when the version changes, so a
 * fleet of 100,000 accounts is not resent every 30 s. The fleet-wide part is read at most once per
 * {@link #FLEET_CACHE_MILLIS} however many nodes heartbeat (one indexed column, ~1 MB for 100,000), and at
 * once after this app recorded a new user id; user ids written elsewhere reach the nodes within that bound.
 */
@Component
public class FleetDialogueDirectory {

    /**
     * Read every second, with every heartbeat that found it expired reading it too, it cost the H2 ingest bench
     * (1,000,000 accounts) a seventh of its CPU and its p99.
     */
    static final long FLEET_CACHE_MILLIS = 10_000;
    /** An account talks in at most this many groups (a bound on the request and on every node's memory). */
    public static final int MAX_GROUPS_PER_ACCOUNT = 500;

    private final JdbcClient jdbc;
    private final Clock clock;

    private record Fleet(long[] userIds, byte[] digest, long readAt, long generation) {}

    private volatile Fleet fleet;
    private final java.util.concurrent.locks.ReentrantLock readLock = new java.util.concurrent.locks.ReentrantLock();
    /** Bumped by every user id this app records: a read that began before it is not fresh after it. */
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();

    FleetDialogueDirectory(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Per node: the version its last heartbeat said it applied (memory only: for tests and diagnostics). */
    private final Map<String, String> applied = new java.util.concurrent.ConcurrentHashMap<>();

    public void recordApplied(String nodeId, String version) {
        applied.put(nodeId, version);
    }

    /** Whether {@code nodeId}'s last heartbeat said it runs with the current version of its view. */
    public boolean upToDate(String nodeId) {
        return version(nodeId).equals(applied.get(nodeId));
    }

    /**
     * Of {@code accountIds}, those allowed to talk in {@code chatId} (no groups configured, or the chat among
     * them), in the given order.
     */
    public List<String> allowedIn(List<String> accountIds, long chatId) {
        if (accountIds.isEmpty()) {
            return accountIds;
        }
        Map<String, List<Long>> groups = new java.util.HashMap<>();
        jdbc.sql("SELECT account_id, chat_id FROM account_groups WHERE account_id IN (:ids)")
                .param("ids", accountIds)
                .query((rs, n) -> groups.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(rs.getLong(2)))
                .list();
        return accountIds.stream()
                .filter(a -> !groups.containsKey(a) || groups.get(a).contains(chatId))
                .toList();
    }

    /** A node's view: the fleet's user ids and the allowed groups of the accounts assigned to it. */
    public record NodeDialogue(String version, long[] fleetUserIds, Map<String, List<Long>> accountGroups) {}

    /** The version of {@code nodeId}'s view (what the heartbeat reply carries). */
    public String version(String nodeId) {
        return version(fleet(), nodeGroups(nodeId));
    }

    public NodeDialogue view(String nodeId) {
        Fleet f = fleet();
        Map<String, List<Long>> groups = nodeGroups(nodeId);
        return new NodeDialogue(version(f, groups), f.userIds(), groups);
    }

    /**
     * Records the Telegram user ids a node reports for the accounts assigned to it (a node cannot name the
     * user of another node's account). Returns how many rows changed.
     */
    public int recordTelegramUsers(String nodeId, Map<String, Long> userIds) {
        if (userIds.isEmpty()) {
            return 0;
        }
        // One read per heartbeat; a write only for what changed (normally nothing).
        Map<String, Long> stored = new java.util.HashMap<>();
        jdbc.sql("SELECT account_id, telegram_user_id FROM accounts WHERE server_id = ?")
                .param(nodeId)
                .query((rs, n) -> {
                    long id = rs.getLong(2);
                    stored.put(rs.getString(1), rs.wasNull() ? null : id);
                    return null;
                })
                .list();
        int changed = 0;
        for (Map.Entry<String, Long> e : userIds.entrySet()) {
            if (!stored.containsKey(e.getKey()) || e.getValue().equals(stored.get(e.getKey()))) {
                continue; // not this node's account, or already known
            }
            changed += jdbc.sql("UPDATE accounts SET telegram_user_id = ?, updated_at = ? WHERE account_id = ?"
                            + " AND server_id = ? AND (telegram_user_id IS NULL OR telegram_user_id <> ?)")
                    .params(e.getValue(), java.sql.Timestamp.from(clock.instant()), e.getKey(), nodeId, e.getValue())
                    .update();
        }
        if (changed > 0) {
            generation.incrementAndGet(); // the next heartbeat's version includes them
        }
        return changed;
    }

    /** The groups account {@code accountId} may talk in, ascending (empty: not restricted). */
    public List<Long> groups(String accountId) {
        requireAccount(accountId);
        return jdbc.sql("SELECT chat_id FROM account_groups WHERE account_id = ? ORDER BY chat_id")
                .param(accountId)
                .query(Long.class)
                .list();
    }

    /** Replaces the account's groups (empty: not restricted). */
    @Transactional
    public List<Long> setGroups(String accountId, List<Long> chatIds) {
        requireAccount(accountId);
        jdbc.sql("DELETE FROM account_groups WHERE account_id = ?")
                .param(accountId)
                .update();
        List<Long> sorted = chatIds.stream().distinct().sorted().toList();
        for (Long chatId : sorted) {
            jdbc.sql("INSERT INTO account_groups (account_id, chat_id) VALUES (?, ?)")
                    .params(accountId, chatId)
                    .update();
        }
        return sorted;
    }

    private void requireAccount(String accountId) {
        Integer n = jdbc.sql("SELECT COUNT(*) FROM accounts WHERE account_id = ?")
                .param(accountId)
                .query(Integer.class)
                .single();
        if (n == 0) {
            throw NotFoundException.account(accountId);
        }
    }

    private Fleet fleet() {
        Fleet f = fleet;
        if (fresh(f)) {
            return f;
        }
        // One reader at a time: heartbeats arriving meanwhile wait for its result instead of each reading again.
        // A lock, not synchronized: on Java 21 a virtual thread blocked in synchronized holds its carrier.
        readLock.lock();
        try {
            f = fleet;
            return fresh(f) ? f : readFleet();
        } finally {
            readLock.unlock();
        }
    }

    private boolean fresh(Fleet f) {
        long now = clock.millis();
        return f != null
                && f.generation() == generation.get()
                && now - f.readAt() < FLEET_CACHE_MILLIS
                && now >= f.readAt();
    }

    private Fleet readFleet() {
        long now = clock.millis();
        long readFor = generation.get();
        // A range, not IS NOT NULL: both databases then seek past the NULLs in the index instead of testing each row.
        List<Long> ids = jdbc.sql("SELECT DISTINCT telegram_user_id FROM accounts WHERE telegram_user_id >= ?"
                        + " ORDER BY telegram_user_id")
                .param(Long.MIN_VALUE)
                .query(Long.class)
                .list();
        long[] userIds = ids.stream().mapToLong(Long::longValue).toArray();
        MessageDigest sha = sha256();
        ByteBuffer buf = ByteBuffer.allocate(8);
        for (long id : userIds) {
            sha.update(buf.clear().putLong(id).array());
        }
        Fleet f = new Fleet(userIds, sha.digest(), now, readFor);
        fleet = f;
        return f;
    }

    private Map<String, List<Long>> nodeGroups(String nodeId) {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        jdbc.sql("SELECT g.account_id, g.chat_id FROM account_groups g JOIN accounts a ON a.account_id = g.account_id"
                        + " WHERE a.server_id = ? ORDER BY g.account_id, g.chat_id")
                .param(nodeId)
                .query((rs, n) -> {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getLong(2));
                    return null;
                })
                .list();
        return out;
    }

    private static String version(Fleet f, Map<String, List<Long>> groups) {
        MessageDigest sha = sha256();
        sha.update(f.digest());
        groups.forEach((account, ids) -> {
            sha.update(account.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            ids.forEach(id -> sha.update(ByteBuffer.allocate(8).putLong(id).array()));
        });
        return "f" + f.userIds().length + "-" + HexFormat.of().formatHex(sha.digest(), 0, 8);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
