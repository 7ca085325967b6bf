package io.groupai.fleet.registry;

import io.groupai.fleet.sessionformat.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The token each node presents with its heartbeats. Verified against a SHA-256 hash in constant
 * time; an encrypted copy lets bootstrap write it into the node's configuration.
 */
@Repository
public class NodeTokenStore {

    private final JdbcClient jdbc;
    private final SecretCipher cipher;
    private final Clock clock;

    public NodeTokenStore(JdbcClient jdbc, SecretCipher cipher, Clock clock) {
        this.jdbc = jdbc;
        this.cipher = cipher;
        this.clock = clock;
    }

    public void save(String nodeId, String token) {
        Timestamp now = Timestamp.from(clock.instant());
        String hash = sha256(token);
        String secret = cipher.encrypt(token);
        if (jdbc.sql("UPDATE node_tokens SET token_hash = ?, token_secret = ?, updated_at = ? WHERE node_id = ?")
                        .params(hash, secret, now, nodeId)
                        .update()
                == 0) {
            jdbc.sql("INSERT INTO node_tokens (node_id, token_hash, token_secret, updated_at) VALUES (?, ?, ?, ?)")
                    .params(nodeId, hash, secret, now)
                    .update();
        }
    }

    /** True only when the node has a token and {@code presented} is it. */
    public boolean verify(String nodeId, String presented) {
        if (presented == null || presented.isEmpty()) {
            return false;
        }
        Optional<String> stored = jdbc.sql("SELECT token_hash FROM node_tokens WHERE node_id = ?")
                .param(nodeId)
                .query(String.class)
                .optional();
        return stored.isPresent()
                && MessageDigest.isEqual(
                        stored.get().getBytes(StandardCharsets.US_ASCII),
                        sha256(presented).getBytes(StandardCharsets.US_ASCII));
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

    /** The plain token, for writing the node's own configuration (bootstrap). */
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
