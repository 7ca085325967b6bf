package io.groupai.fleet.registry;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The accounts table. Every count the system shows comes from here, never from files on disk. */
@Repository
public class AccountRepository {

    private static final String COLUMNS = "account_id, session_ref, script_id, server_id, status, source_node, location, "
            + "message_count, reply_count, last_activity, created_at, updated_at";
    private static final RowMapper<AccountRecord> MAPPER = AccountRepository::map;

    private final JdbcClient jdbc;
    private final Clock clock;

    public AccountRepository(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public void insert(AccountDefinition d) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.sql("INSERT INTO accounts (account_id, session_ref, script_id, server_id, status, location, message_count, "
                        + "reply_count, created_at, updated_at) VALUES (?, ?, ?, NULL, 'unallocated', ?, 0, 0, ?, ?)")
                .params(d.accountId(), d.sessionFile(), d.scriptId(), d.location(), now, now)
                .update();
    }

    public int updateDefinition(AccountDefinition d) {
        return jdbc.sql("UPDATE accounts SET session_ref = ?, script_id = ?, location = ?, updated_at = ? WHERE account_id = ?")
                .params(d.sessionFile(), d.scriptId(), d.location(), Timestamp.from(clock.instant()), d.accountId())
                .update();
    }

    public Optional<AccountRecord> find(String accountId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM accounts WHERE account_id = ?").param(accountId).query(MAPPER).optional();
    }

    public AccountRecord get(String accountId) {
        return find(accountId).orElseThrow(() -> NotFoundException.account(accountId));
    }

    public int delete(String accountId) {
        return jdbc.sql("DELETE FROM accounts WHERE account_id = ?").param(accountId).update();
    }

    public Page<AccountRecord> list(AccountFilter filter, int page, int size) {
        List<String> where = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        if (filter.serverId() != null) {
            where.add("server_id = ?");
            params.add(filter.serverId());
        }
        if (filter.status() != null) {
            where.add("status = ?");
            params.add(filter.status());
        }
        if (Boolean.TRUE.equals(filter.unallocated())) {
            where.add("server_id IS NULL");
        } else if (Boolean.FALSE.equals(filter.unallocated())) {
            where.add("server_id IS NOT NULL");
        }
        String clause = where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where);
        long total = jdbc.sql("SELECT COUNT(*) FROM accounts" + clause).params(params).query(Long.class).single();
        List<Object> pageParams = new ArrayList<>(params);
        pageParams.add(size);
        pageParams.add((long) page * size);
        List<AccountRecord> items = jdbc.sql("SELECT " + COLUMNS + " FROM accounts" + clause
                        + " ORDER BY account_id LIMIT ? OFFSET ?")
                .params(pageParams).query(MAPPER).list();
        return new Page<>(items, page, size, total);
    }

    public long countAll() {
        return jdbc.sql("SELECT COUNT(*) FROM accounts").query(Long.class).single();
    }

    public long countUnallocated() {
        return jdbc.sql("SELECT COUNT(*) FROM accounts WHERE server_id IS NULL").query(Long.class).single();
    }

    public int countOnServer(String nodeId) {
        return jdbc.sql("SELECT COUNT(*) FROM accounts WHERE server_id = ?").param(nodeId).query(Integer.class).single();
    }

    /** Accounts per server, for every server that has at least one. */
    public Map<String, Integer> countByServer() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        jdbc.sql("SELECT server_id, COUNT(*) AS n FROM accounts WHERE server_id IS NOT NULL GROUP BY server_id")
                .query((RowCallbackHandler) rs -> counts.put(rs.getString("server_id"), rs.getInt("n")));
        return counts;
    }

    private static AccountRecord map(ResultSet rs, int row) throws SQLException {
        return new AccountRecord(
                rs.getString("account_id"),
                rs.getString("session_ref"),
                rs.getString("script_id"),
                rs.getString("server_id"),
                rs.getString("status"),
                rs.getString("source_node"),
                rs.getString("location"),
                rs.getLong("message_count"),
                rs.getLong("reply_count"),
                Jdbc.instant(rs, "last_activity"),
                Jdbc.instant(rs, "created_at"),
                Jdbc.instant(rs, "updated_at"));
    }
}
