package io.groupai.fleet.app.security;

import io.groupai.fleet.sessionformat.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;

/**
 * Long-lived tokens for scripts and the CLI. The token is 32 random bytes, shown once when created;
 * only its SHA-256 is stored (a random 256-bit value needs no slow hash), so a copy of the database
 * cannot be used to call the API.
 */
@Repository
public class ApiTokenStore {

    /** Marks an API token, so the bearer filter never mistakes it for a JWT (JWTs start with "ey"). */
    public static final String PREFIX = "gaf_";

    public record ApiToken(
            long id,
            String name,
            Role role,
            String createdBy,
            Instant createdAt,
            Instant expiresAt,
            Instant revokedAt,
            Instant lastUsedAt) {

        boolean usableAt(Instant now) {
            return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
        }
    }

    public record Created(ApiToken token, String secret) {}

    private static final String COLUMNS =
            "id, name, role, created_by, created_at, expires_at, revoked_at, last_used_at";
    /** last_used_at is written at most this often per token, not on every call. */
    private static final Duration LAST_USED_GRANULARITY = Duration.ofMinutes(1);

    private final JdbcClient jdbc;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    ApiTokenStore(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public Created create(String name, Role role, String createdBy, Instant expiresAt) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = clock.instant();
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        jdbc.sql("INSERT INTO api_tokens (name, token_hash, role, created_by, created_at, expires_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?)")
                .params(
                        name,
                        hash(secret),
                        role.wire(),
                        createdBy,
                        Timestamp.from(now),
                        expiresAt == null ? null : Timestamp.from(expiresAt))
                .update(keys, "id");
        long id = keys.getKey().longValue();
        return new Created(get(id).orElseThrow(), secret);
    }

    /** The usable token with this secret, if any; notes when it was last used. */
    public Optional<ApiToken> authenticate(String secret) {
        Instant now = clock.instant();
        Optional<ApiToken> found = jdbc.sql("SELECT " + COLUMNS + " FROM api_tokens WHERE token_hash = ?")
                .param(hash(secret))
                .query(ApiTokenStore::row)
                .optional()
                .filter(t -> t.usableAt(now));
        found.filter(t -> t.lastUsedAt() == null || t.lastUsedAt().isBefore(now.minus(LAST_USED_GRANULARITY)))
                .ifPresent(t -> jdbc.sql("UPDATE api_tokens SET last_used_at = ? WHERE id = ?")
                        .params(Timestamp.from(now), t.id())
                        .update());
        return found;
    }

    public Optional<ApiToken> get(long id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM api_tokens WHERE id = ?")
                .param(id)
                .query(ApiTokenStore::row)
                .optional();
    }

    public List<ApiToken> list() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM api_tokens ORDER BY id")
                .query(ApiTokenStore::row)
                .list();
    }

    /** @return false when there is no such token or it was revoked already */
    public boolean revoke(long id) {
        return jdbc.sql("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                        .params(Timestamp.from(clock.instant()), id)
                        .update()
                == 1;
    }

    private static String hash(String secret) {
        return Sha256.hex(secret.getBytes(StandardCharsets.UTF_8));
    }

    private static Instant instant(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static ApiToken row(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new ApiToken(
                rs.getLong("id"),
                rs.getString("name"),
                Role.fromWire(rs.getString("role")).orElse(Role.VIEWER),
                rs.getString("created_by"),
                instant(rs, "created_at"),
                instant(rs, "expires_at"),
                instant(rs, "revoked_at"),
                instant(rs, "last_used_at"));
    }
}
