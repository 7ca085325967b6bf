package io.groupai.fleet.registry;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Encrypted SSH secrets, one per server. The only class that reads the server_credentials table. */
@Repository
public class CredentialStore {

    private final JdbcClient jdbc;
    private final SecretCipher cipher;
    private final Clock clock;

    public CredentialStore(JdbcClient jdbc, SecretCipher cipher, Clock clock) {
        this.jdbc = jdbc;
        this.cipher = cipher;
        this.clock = clock;
    }

    public void save(String nodeId, SshSecret secret) {
        String main;
        String passphrase = null;
        switch (secret) {
            case SshSecret.Password p -> main = cipher.encrypt(p.password());
            case SshSecret.PrivateKey k -> {
                main = cipher.encrypt(k.pem());
                passphrase = k.passphrase() == null ? null : cipher.encrypt(k.passphrase());
            }
        }
        Timestamp now = Timestamp.from(clock.instant());
        int updated = jdbc.sql(
                        "UPDATE server_credentials SET auth_type = ?, secret = ?, passphrase = ?, updated_at = ? WHERE node_id = ?")
                .params(secret.authType(), main, passphrase, now, nodeId)
                .update();
        if (updated == 0) {
            jdbc.sql(
                            "INSERT INTO server_credentials (node_id, auth_type, secret, passphrase, updated_at) VALUES (?, ?, ?, ?, ?)")
                    .params(nodeId, secret.authType(), main, passphrase, now)
                    .update();
        }
    }

    public Optional<SshSecret> load(String nodeId) {
        return jdbc.sql("SELECT auth_type, secret, passphrase FROM server_credentials WHERE node_id = ?")
                .param(nodeId)
                .query((rs, i) -> {
                    String type = rs.getString("auth_type");
                    String secret = cipher.decrypt(rs.getString("secret"));
                    String passphrase = rs.getString("passphrase");
                    return "password".equals(type)
                            ? (SshSecret) new SshSecret.Password(secret)
                            : new SshSecret.PrivateKey(secret, passphrase == null ? null : cipher.decrypt(passphrase));
                })
                .optional();
    }

    /** Auth type per server that has a secret, among these servers (one query per 500). */
    public java.util.Map<String, String> authTypes(java.util.Collection<String> nodeIds) {
        java.util.Map<String, String> types = new java.util.HashMap<>();
        Jdbc.inChunks(
                nodeIds,
                (placeholders, chunk) -> jdbc.sql("SELECT node_id, auth_type FROM server_credentials WHERE node_id IN ("
                                + placeholders + ")")
                        .params(chunk)
                        .query((org.springframework.jdbc.core.RowCallbackHandler)
                                rs -> types.put(rs.getString(1), rs.getString(2))));
        return types;
    }

    public Optional<String> authType(String nodeId) {
        return jdbc.sql("SELECT auth_type FROM server_credentials WHERE node_id = ?")
                .param(nodeId)
                .query(String.class)
                .optional();
    }
}
