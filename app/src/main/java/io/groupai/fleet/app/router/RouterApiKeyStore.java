package io.groupai.fleet.app.router;

import io.groupai.fleet.router.ApiKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The routing pool's API keys kept in the database (table router_api_keys, SHA-256 only). The
 * pool checks keys on its event loops, so it never queries: it reads an in-memory set of hashes
 * that this store refreshes after every change it makes and at start.
 */
@Repository
public class RouterApiKeyStore implements ApiKeys.Source {

    /** What the API shows of a key: never the key, only its first characters. */
    public record KeyView(long id, String name, String keyPrefix, Instant createdAt) {}

    public record CreatedKey(long id, String name, String key, String keyPrefix, Instant createdAt) {}

    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcClient jdbc;
    private final Clock clock;
    private volatile Set<String> hashes;

    public RouterApiKeyStore(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public CreatedKey create(String name) {
        byte[] random = new byte[24];
        RANDOM.nextBytes(random);
        String key = "sk-pool-" + HexFormat.of().formatHex(random);
        String prefix = key.substring(0, 12);
        Instant now = clock.instant();
        jdbc.sql("INSERT INTO router_api_keys (name, key_hash, key_prefix, created_at) VALUES (?, ?, ?, ?)")
                .params(name, sha256(key), prefix, Timestamp.from(now))
                .update();
        long id = jdbc.sql("SELECT id FROM router_api_keys WHERE key_hash = ?")
                .param(sha256(key))
                .query(Long.class)
                .single();
        refresh();
        return new CreatedKey(id, name, key, prefix, now);
    }

    public List<KeyView> list() {
        return jdbc.sql("SELECT id, name, key_prefix, created_at FROM router_api_keys ORDER BY id")
                .query((rs, n) -> new KeyView(
                        rs.getLong("id"),
                        rs.getString("name"),
                        rs.getString("key_prefix"),
                        rs.getTimestamp("created_at").toInstant()))
                .list();
    }

    public boolean delete(long id) {
        boolean deleted =
                jdbc.sql("DELETE FROM router_api_keys WHERE id = ?").param(id).update() > 0;
        refresh();
        return deleted;
    }

    public void refresh() {
        hashes = Set.copyOf(new HashSet<>(jdbc.sql("SELECT key_hash FROM router_api_keys")
                .query(String.class)
                .list()));
    }

    private Set<String> hashes() {
        Set<String> h = hashes;
        if (h == null) {
            refresh();
            h = hashes;
        }
        return h;
    }

    @Override
    public boolean hasKeys() {
        return !hashes().isEmpty();
    }

    @Override
    public boolean valid(String key) {
        // A set lookup by hash: the hash of a wrong key says nothing about the right one.
        return hashes().contains(sha256(key));
    }

    static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
