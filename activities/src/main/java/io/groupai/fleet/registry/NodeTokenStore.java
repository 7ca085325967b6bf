package io.groupai.fleet.registry;

import io.groupai.fleet.sessionformat.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The token each node presents with its heartbeats and to the Temporal gate. Stored as a SHA-256
 * hash, verified in constant time; an encrypted copy lets bootstrap write it into the node's
 * configuration and a heartbeat reply hand a rotated one to the node. After a rotation the
 * previous token stays valid for a grace period.
 *
 * <p>Every node call is checked, so the stored hashes of a node are kept in memory for {@link #CACHED_FOR}
 * (a heartbeat then needs no read of {@code node_tokens}). Every change made here (set, issue, rotate,
 * forget) drops the kept hashes at once, and again when its transaction ends, so a read racing the change
 * cannot keep the old hashes. A change made by another control plane on the same database takes effect here
 * within {@link #CACHED_FOR}.
 */
@Repository
public class NodeTokenStore {

    /** Which token a node presented. */
    public enum Match {
        NONE,
        CURRENT,
        /** The token before the last rotation, within its grace period: the node should switch. */
        PREVIOUS
    }

    /** When a rotation happened and until when the previous token is still accepted. */
    public record Rotation(String nodeId, Instant rotatedAt, Instant previousValidUntil) {}

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * How long a node's stored hashes are used without reading them again: longer than a heartbeat's 30 s, so
     * a node's heartbeats find them kept.
     */
    static final Duration CACHED_FOR = Duration.ofMinutes(2);

    private record Stored(String tokenHash, String previousHash, Timestamp previousExpiresAt) {}

    /** A node's hashes as read under {@code generation}, at {@code readAtNanos}. */
    private record Kept(Stored stored, long generation, long readAtNanos) {}

    private final ConcurrentHashMap<String, Kept> kept = new ConcurrentHashMap<>();
    /** Moves on every change: hashes read under an older generation are not used. */
    private final AtomicLong generation = new AtomicLong();

    private final JdbcClient jdbc;
    private final SecretCipher cipher;
    private final Clock clock;

    public NodeTokenStore(JdbcClient jdbc, SecretCipher cipher, Clock clock) {
        this.jdbc = jdbc;
        this.cipher = cipher;
        this.clock = clock;
    }

    /** 256 random bits, URL-safe base64 (43 characters). */
    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Sets the node's token (an operator's choice); any previous token stops working at once. */
    public void save(String nodeId, String token) {
        changed(nodeId);
        Timestamp now = Timestamp.from(clock.instant());
        String hash = sha256(token);
        String secret = cipher.encrypt(token);
        if (jdbc.sql("UPDATE node_tokens SET token_hash = ?, token_secret = ?, previous_hash = NULL, "
                                + "previous_expires_at = NULL, updated_at = ? WHERE node_id = ?")
                        .params(hash, secret, now, nodeId)
                        .update()
                == 0) {
            jdbc.sql("INSERT INTO node_tokens (node_id, token_hash, token_secret, updated_at) VALUES (?, ?, ?, ?)")
                    .params(nodeId, hash, secret, now)
                    .update();
        }
    }

    /** The node's token, generated and stored now if it has none (bootstrap). */
    public String issueIfAbsent(String nodeId) {
        Optional<String> existing = reveal(nodeId);
        if (existing.isPresent()) {
            return existing.get();
        }
        String token = generate();
        changed(nodeId);
        try {
            jdbc.sql("INSERT INTO node_tokens (node_id, token_hash, token_secret, updated_at) VALUES (?, ?, ?, ?)")
                    .params(nodeId, sha256(token), cipher.encrypt(token), Timestamp.from(clock.instant()))
                    .update();
            return token;
        } catch (DuplicateKeyException raced) {
            return reveal(nodeId).orElseThrow();
        }
    }

    /**
     * A new random token for the node; the current one stays valid for {@code grace} (zero: not at
     * all, e.g. after a leak). In one statement, so two rotations cannot interleave.
     */
    public Optional<Rotation> rotate(String nodeId, Duration grace) {
        Instant now = clock.instant();
        Instant until = now.plus(grace);
        String token = generate();
        changed(nodeId);
        int updated = jdbc.sql("UPDATE node_tokens SET previous_hash = token_hash, previous_expires_at = ?, "
                        + "token_hash = ?, token_secret = ?, updated_at = ? WHERE node_id = ?")
                .params(Timestamp.from(until), sha256(token), cipher.encrypt(token), Timestamp.from(now), nodeId)
                .update();
        return updated == 0 ? Optional.empty() : Optional.of(new Rotation(nodeId, now, until));
    }

    /** True when {@code presented} is the node's token, or its previous one within the grace period. */
    public boolean verify(String nodeId, String presented) {
        return match(nodeId, presented) != Match.NONE;
    }

    public Match match(String nodeId, String presented) {
        if (nodeId == null || presented == null || presented.isEmpty()) {
            return Match.NONE;
        }
        Optional<Stored> stored = stored(nodeId);
        if (stored.isEmpty()) {
            return Match.NONE;
        }
        byte[] hash = sha256(presented).getBytes(StandardCharsets.US_ASCII);
        if (MessageDigest.isEqual(stored.get().tokenHash().getBytes(StandardCharsets.US_ASCII), hash)) {
            return Match.CURRENT;
        }
        Stored s = stored.get();
        if (s.previousHash() != null
                && s.previousExpiresAt() != null
                && s.previousExpiresAt().toInstant().isAfter(clock.instant())
                && MessageDigest.isEqual(s.previousHash().getBytes(StandardCharsets.US_ASCII), hash)) {
            return Match.PREVIOUS;
        }
        return Match.NONE;
    }

    /** The server's row is deleted (its token row with it): its token stops working at once. */
    public void forget(String nodeId) {
        changed(nodeId);
    }

    private Optional<Stored> stored(String nodeId) {
        long current = generation.get();
        long now = System.nanoTime();
        Kept k = kept.get(nodeId);
        if (k != null && k.generation() == current && now - k.readAtNanos() < CACHED_FOR.toNanos()) {
            return Optional.of(k.stored());
        }
        Optional<Stored> stored = jdbc.sql(
                        "SELECT token_hash, previous_hash, previous_expires_at FROM node_tokens WHERE node_id = ?")
                .param(nodeId)
                .query((rs, n) -> new Stored(
                        rs.getString("token_hash"),
                        rs.getString("previous_hash"),
                        rs.getTimestamp("previous_expires_at")))
                .optional();
        // Unknown nodes are not kept: made-up node ids cannot grow the map.
        stored.ifPresentOrElse(s -> kept.put(nodeId, new Kept(s, current, now)), () -> kept.remove(nodeId));
        return stored;
    }

    /** Drops what is kept now, and again when the caller's transaction ends (a read in between saw the old row). */
    private void changed(String nodeId) {
        generation.incrementAndGet();
        kept.remove(nodeId);
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    generation.incrementAndGet();
                    kept.remove(nodeId);
                }
            });
        }
    }

    /**
     * The node whose token (or previous token, within its grace period) {@code presented} is, for the
     * few calls whose path names no node (a script download given to every node by the deployment).
     */
    public Optional<String> nodeOf(String presented) {
        if (presented == null || presented.isEmpty()) {
            return Optional.empty();
        }
        String hash = sha256(presented);
        List<String> nodes = jdbc.sql("SELECT node_id FROM node_tokens WHERE token_hash = ?"
                        + " OR (previous_hash = ? AND previous_expires_at > ?)")
                .param(hash)
                .param(hash)
                .param(Timestamp.from(clock.instant()))
                .query(String.class)
                .list();
        // Two nodes with one token (an operator's choice) name no single node.
        return nodes.size() == 1 ? Optional.of(nodes.getFirst()) : Optional.empty();
    }

    /** Those of these servers that have a token (one query per 500). */
    public java.util.Set<String> existing(java.util.Collection<String> nodeIds) {
        java.util.Set<String> found = new java.util.HashSet<>();
        Jdbc.inChunks(
                nodeIds,
                (placeholders, chunk) ->
                        found.addAll(jdbc.sql("SELECT node_id FROM node_tokens WHERE node_id IN (" + placeholders + ")")
                                .params(chunk)
                                .query(String.class)
                                .list()));
        return found;
    }

    public boolean exists(String nodeId) {
        return jdbc.sql("SELECT COUNT(*) FROM node_tokens WHERE node_id = ?")
                        .param(nodeId)
                        .query(Integer.class)
                        .single()
                > 0;
    }

    /** The plain token, for writing the node's own configuration (bootstrap) or handing over a rotated one. */
    public Optional<String> reveal(String nodeId) {
        return jdbc.sql("SELECT token_secret FROM node_tokens WHERE node_id = ?")
                .param(nodeId)
                .query(String.class)
                .optional()
                .map(cipher::decrypt);
    }

    private static String sha256(String value) {
        return Sha256.hex(value.getBytes(StandardCharsets.UTF_8));
    }
}
