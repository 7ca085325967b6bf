package io.groupai.fleet.app.security;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Operators who sign in with a password (stored as a BCrypt hash only). */
@Repository
public class UserStore {

    public record OperatorUser(
            String username, String passwordHash, Role role, boolean enabled, Instant createdAt, Instant updatedAt) {}

    private static final String COLUMNS = "username, password_hash, role, enabled, created_at, updated_at";

    private final JdbcClient jdbc;
    private final Clock clock;

    UserStore(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public Optional<OperatorUser> find(String username) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM operator_users WHERE username = ?")
                .param(username)
                .query(UserStore::row)
                .optional();
    }

    public List<OperatorUser> list() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM operator_users ORDER BY username")
                .query(UserStore::row)
                .list();
    }

    public long count() {
        return jdbc.sql("SELECT COUNT(*) FROM operator_users").query(Long.class).single();
    }

    public long enabledAdmins() {
        return jdbc.sql("SELECT COUNT(*) FROM operator_users WHERE role = 'admin' AND enabled = TRUE")
                .query(Long.class)
                .single();
    }

    public void insert(String username, String passwordHash, Role role) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.sql("INSERT INTO operator_users (" + COLUMNS + ") VALUES (?, ?, ?, TRUE, ?, ?)")
                .params(username, passwordHash, role.wire(), now, now)
                .update();
    }

    /** Null arguments keep the stored value. */
    public boolean update(String username, String passwordHash, Role role, Boolean enabled) {
        return jdbc.sql("UPDATE operator_users SET password_hash = COALESCE(?, password_hash),"
                                + " role = COALESCE(?, role), enabled = COALESCE(?, enabled), updated_at = ?"
                                + " WHERE username = ?")
                        .params(
                                passwordHash,
                                role == null ? null : role.wire(),
                                enabled,
                                Timestamp.from(clock.instant()),
                                username)
                        .update()
                == 1;
    }

    public boolean delete(String username) {
        return jdbc.sql("DELETE FROM operator_users WHERE username = ?")
                        .param(username)
                        .update()
                == 1;
    }

    private static OperatorUser row(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new OperatorUser(
                rs.getString("username"),
                rs.getString("password_hash"),
                Role.fromWire(rs.getString("role")).orElse(Role.VIEWER),
                rs.getBoolean("enabled"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
    }
}
