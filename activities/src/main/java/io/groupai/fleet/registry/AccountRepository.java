package io.groupai.fleet.registry;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.stream.Collectors;
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
            + "message_count, reply_count, last_activity, group_ids, last_report_at, created_at, updated_at";
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

    /** An account first heard of in a heartbeat; {@code place} assigns it to the reporting node. */
    public void insertReported(AccountReport r, String nodeId, boolean place, Instant now) {
        Timestamp at = Timestamp.from(now);
        jdbc.sql("INSERT INTO accounts (account_id, session_ref, script_id, server_id, status, source_node, message_count, "
                        + "reply_count, last_activity, group_ids, reported_session_file, last_report_at, created_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(r.accountId(), r.sessionFile(), r.scriptId(), place ? nodeId : null, place ? r.status() : "unallocated",
                        nodeId, r.messageCount(), r.replyCount(), timestamp(r.lastActivity()), groupIds(r), r.sessionFile(),
                        at, at, at)
                .update();
    }

    /**
     * Statistics of a known account from its node. With {@code assign} the account is (or becomes)
     * this node's and takes the reported status; the conditional update never takes an account
     * that another server got in the meantime.
     */
    public void applyReport(AccountReport r, String nodeId, boolean assign, Instant now) {
        Timestamp at = Timestamp.from(now);
        if (assign) {
            jdbc.sql("UPDATE accounts SET server_id = ?, status = ?, script_id = COALESCE(?, script_id), source_node = ?, "
                            + "message_count = ?, reply_count = ?, last_activity = ?, group_ids = ?, reported_session_file = ?, "
                            + "last_report_at = ?, updated_at = ? WHERE account_id = ? AND (server_id IS NULL OR server_id = ?)")
                    .params(nodeId, r.status(), r.scriptId(), nodeId, r.messageCount(), r.replyCount(),
                            timestamp(r.lastActivity()), groupIds(r), r.sessionFile(), at, at, r.accountId(), nodeId)
                    .update();
        } else {
            jdbc.sql("UPDATE accounts SET source_node = ?, message_count = ?, reply_count = ?, last_activity = ?, group_ids = ?, "
                            + "reported_session_file = ?, last_report_at = ?, updated_at = ? WHERE account_id = ?")
                    .params(nodeId, r.messageCount(), r.replyCount(), timestamp(r.lastActivity()), groupIds(r),
                            r.sessionFile(), at, at, r.accountId())
                    .update();
        }
    }

    /** A node reported an account that belongs to another server: remember where it was seen, nothing else. */
    public void markSeenOn(String accountId, String nodeId, Instant now) {
        jdbc.sql("UPDATE accounts SET source_node = ?, last_report_at = ? WHERE account_id = ?")
                .params(nodeId, Timestamp.from(now), accountId).update();
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private static String groupIds(AccountReport r) {
        return r.groupIds() == null || r.groupIds().isEmpty() ? null
                : r.groupIds().stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    public long countAll() {
        return jdbc.sql("SELECT COUNT(*) FROM accounts").query(Long.class).single();
    }

    public long countUnallocated() {
        return jdbc.sql("SELECT COUNT(*) FROM accounts WHERE server_id IS NULL").query(Long.class).single();
    }

    /**
     * What counts against a server's max_accounts: accounts placed on it plus accounts reserved for
     * it by a migration in flight. The one definition every capacity check uses.
     */
    public int countCommittedTo(String nodeId) {
        return jdbc.sql("SELECT COUNT(*) FROM accounts WHERE server_id = ? OR reserved_server_id = ?")
                .params(nodeId, nodeId).query(Integer.class).single();
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

    private static List<Long> parseGroupIds(String stored) {
        return stored == null || stored.isBlank() ? List.of()
                : java.util.Arrays.stream(stored.split(",")).map(Long::valueOf).toList();
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
                parseGroupIds(rs.getString("group_ids")),
                Jdbc.instant(rs, "last_report_at"),
                Jdbc.instant(rs, "created_at"),
                Jdbc.instant(rs, "updated_at"));
    }
}
