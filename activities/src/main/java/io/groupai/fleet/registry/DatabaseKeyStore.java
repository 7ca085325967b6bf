package io.groupai.fleet.registry;

import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Each account's TDLib {@code database_encryption_key}: 32 random bytes (base64, as TDLib's JSON
 * interface takes bytes), generated on first need and stored AES-GCM encrypted like SSH secrets and
 * node tokens. The only class that reads {@code account_database_keys}. The key is handed to a node
 * only over its node-token channel ({@code GET /api/v1/workers/{node}/accounts/{account}/database-key})
 * and only for an account the database assigns or reserves to that node ({@link #holder}); it never
 * enters a workflow payload, a log line or an operator API response.
 */
@Repository
public class DatabaseKeyStore {

    /** Where the database puts an account: the server it runs on and the one reserved for it (allocation, migration). */
    public record Holder(String serverId, String reservedServerId) {

        /** True when {@code nodeId} is the account's server or the target reserved for it. */
        public boolean includes(String nodeId) {
            return nodeId != null && (nodeId.equals(serverId) || nodeId.equals(reservedServerId));
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcClient jdbc;
    private final SecretCipher cipher;
    private final Clock clock;

    public DatabaseKeyStore(JdbcClient jdbc, SecretCipher cipher, Clock clock) {
        this.jdbc = jdbc;
        this.cipher = cipher;
        this.clock = clock;
    }

    /** The account's server and reserved server; empty when there is no such account. */
    public Optional<Holder> holder(String accountId) {
        return jdbc.sql("SELECT server_id, reserved_server_id FROM accounts WHERE account_id = ?")
                .param(accountId)
                .query((rs, n) -> new Holder(rs.getString("server_id"), rs.getString("reserved_server_id")))
                .optional();
    }

    /** The account's key, generated and stored now if it has none (two racing callers get the same key). */
    public String issueIfAbsent(String accountId) {
        Optional<String> existing = reveal(accountId);
        if (existing.isPresent()) {
            return existing.get();
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String key = Base64.getEncoder().encodeToString(bytes);
        try {
            jdbc.sql("INSERT INTO account_database_keys (account_id, key_secret, created_at) VALUES (?, ?, ?)")
                    .params(accountId, cipher.encrypt(key), Timestamp.from(clock.instant()))
                    .update();
            return key;
        } catch (DuplicateKeyException raced) {
            return reveal(accountId).orElseThrow();
        }
    }

    /** The stored key, decrypted; empty when the account has none yet. */
    public Optional<String> reveal(String accountId) {
        return jdbc.sql("SELECT key_secret FROM account_database_keys WHERE account_id = ?")
                .param(accountId)
                .query(String.class)
                .optional()
                .map(cipher::decrypt);
    }
}
