package io.groupai.fleet.registry;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The accounts table. Every count the system shows comes from here, never from files on disk. */
@Repository
public class AccountRepository {

    private static final String COLUMNS =
            "account_id, session_ref, script_id, server_id, status, source_node, location, "
                    + "message_count, reply_count, last_activity, group_ids, last_report_at, created_at, updated_at";
    private static final RowMapper<AccountRecord> MAPPER = AccountRepository::map;

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final PlacementCounts counts;
    private final Clock clock;

    public AccountRepository(JdbcClient jdbc, JdbcTemplate batch, PlacementCounts counts, Clock clock) {
        this.jdbc = jdbc;
        this.batch = batch;
        this.counts = counts;
        this.clock = clock;
    }

    public void insert(AccountDefinition d) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.sql(
                        "INSERT INTO accounts (account_id, session_ref, script_id, server_id, status, location, message_count, "
                                + "reply_count, created_at, updated_at) VALUES (?, ?, ?, NULL, 'unallocated', ?, 0, 0, ?, ?)")
                .params(d.accountId(), d.sessionFile(), d.scriptId(), d.location(), now, now)
                .update();
        counts.add(null, 1);
    }

    public int updateDefinition(AccountDefinition d) {
        return jdbc.sql(
                        "UPDATE accounts SET session_ref = ?, script_id = ?, location = ?, updated_at = ? WHERE account_id = ?")
                .params(d.sessionFile(), d.scriptId(), d.location(), Timestamp.from(clock.instant()), d.accountId())
                .update();
    }

    public Optional<AccountRecord> find(String accountId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM accounts WHERE account_id = ?")
                .param(accountId)
                .query(MAPPER)
                .optional();
    }

    public AccountRecord get(String accountId) {
        return find(accountId).orElseThrow(() -> NotFoundException.account(accountId));
    }

    /** Deletes the account only while it has no server; returns whether it did. */
    public boolean deleteUnassigned(String accountId) {
        boolean deleted = jdbc.sql("DELETE FROM accounts WHERE account_id = ? AND server_id IS NULL")
                        .param(accountId)
                        .update()
                > 0;
        if (deleted) {
            counts.add(null, -1);
        }
        return deleted;
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
        if (filter.sourceNode() != null) {
            where.add("source_node = ?");
            params.add(filter.sourceNode());
        }
        if (Boolean.TRUE.equals(filter.unallocated())) {
            where.add("server_id IS NULL");
        } else if (Boolean.FALSE.equals(filter.unallocated())) {
            where.add("server_id IS NOT NULL");
        }
        String clause = where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where);
        long total = jdbc.sql("SELECT COUNT(*) FROM accounts" + clause)
                .params(params)
                .query(Long.class)
                .single();
        List<Object> pageParams = new ArrayList<>(params);
        pageParams.add(size);
        pageParams.add((long) page * size);
        List<AccountRecord> items = jdbc.sql(
                        "SELECT " + COLUMNS + " FROM accounts" + clause + " ORDER BY account_id LIMIT ? OFFSET ?")
                .params(pageParams)
                .query(MAPPER)
                .list();
        return new Page<>(items, page, size, total);
    }

    /** An account row as a heartbeat compares a report against it. */
    public record ReportedRow(
            String accountId,
            String serverId,
            String operationId,
            String status,
            String scriptId,
            String sourceNode,
            long messageCount,
            long replyCount,
            Instant lastActivity,
            String groupIds,
            String reportedSessionFile) {}

    /** Reads the rows of these accounts that exist, by account id, without locking them. */
    public Map<String, ReportedRow> findReported(Collection<String> accountIds) {
        Map<String, ReportedRow> rows = new HashMap<>();
        Jdbc.inChunks(
                accountIds,
                (placeholders, chunk) -> jdbc.sql("SELECT account_id, server_id, operation_id, status, script_id, "
                                + "source_node, message_count, reply_count, last_activity, group_ids, reported_session_file FROM accounts "
                                + "WHERE account_id IN (" + placeholders + ")")
                        .params(chunk)
                        .query((RowCallbackHandler) rs -> rows.put(
                                rs.getString("account_id"),
                                new ReportedRow(
                                        rs.getString("account_id"),
                                        rs.getString("server_id"),
                                        rs.getString("operation_id"),
                                        rs.getString("status"),
                                        rs.getString("script_id"),
                                        rs.getString("source_node"),
                                        rs.getLong("message_count"),
                                        rs.getLong("reply_count"),
                                        Jdbc.instant(rs, "last_activity"),
                                        rs.getString("group_ids"),
                                        rs.getString("reported_session_file")))));
        return rows;
    }

    /**
     * Accounts first heard of in a heartbeat, in one JDBC batch: recorded without a server (only
     * allocation and migration assign one), seen on the reporting node.
     */
    public void insertReported(List<AccountReport> reports, String nodeId, Instant now) {
        if (reports.isEmpty()) {
            return;
        }
        Timestamp at = Timestamp.from(now);
        List<Object[]> rows = new ArrayList<>(reports.size());
        for (AccountReport r : reports) {
            rows.add(new Object[] {
                r.accountId(),
                r.sessionFile(),
                r.scriptId(),
                nodeId,
                r.messageCount(),
                r.replyCount(),
                timestamp(r.lastActivity()),
                groupIds(r.groupIds()),
                r.sessionFile(),
                at,
                at,
                at
            });
        }
        batch.batchUpdate(
                "INSERT INTO accounts (account_id, session_ref, script_id, server_id, status, source_node, message_count, "
                        + "reply_count, last_activity, group_ids, reported_session_file, last_report_at, created_at, updated_at) "
                        + "VALUES (?, ?, ?, NULL, 'unallocated', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows);
        counts.add(null, reports.size());
    }

    /** Rows per UPDATE of {@link #updateReported}: its SQL stays under the driver's cached-statement size. */
    public static final int REPORTED_UPDATE_CHUNK = 32;

    /** A column a report writes, the JDBC type of its values, and its value in a row's new image. */
    private record ReportedColumn(String name, int sqlType, Function<ReportedRow, Object> value) {}

    private static final List<ReportedColumn> REPORTED_COLUMNS = List.of(
            new ReportedColumn("status", Types.VARCHAR, ReportedRow::status),
            new ReportedColumn("script_id", Types.VARCHAR, ReportedRow::scriptId),
            new ReportedColumn("source_node", Types.VARCHAR, ReportedRow::sourceNode),
            new ReportedColumn("message_count", Types.BIGINT, ReportedRow::messageCount),
            new ReportedColumn("reply_count", Types.BIGINT, ReportedRow::replyCount),
            new ReportedColumn("last_activity", Types.TIMESTAMP, r -> timestamp(r.lastActivity())),
            new ReportedColumn("group_ids", Types.VARCHAR, ReportedRow::groupIds),
            new ReportedColumn("reported_session_file", Types.VARCHAR, ReportedRow::reportedSessionFile));

    /**
     * Writes the new image of rows a heartbeat changed, each only while the row's server and
     * operation are still the ones {@code changed} was computed from (the rows are read without
     * locks, so a placement may have changed one since; its report is then dropped, and the node's
     * next heartbeat brings it again). Never writes server_id or operation_id: placement is not a
     * heartbeat's to change. Returns how many rows it wrote.
     *
     * <p>One statement per {@value #REPORTED_UPDATE_CHUNK} rows, each column a CASE on the row's id: a
     * JDBC batch would be a statement per row for the database to parse and run (and, on MySQL, two
     * more round trips to switch multi-statements on and off).
     */
    public int updateReported(List<ReportedRow> changed, Instant now) {
        Timestamp at = Timestamp.from(now);
        int written = 0;
        for (int from = 0; from < changed.size(); from += REPORTED_UPDATE_CHUNK) {
            written += updateReportedChunk(
                    changed.subList(from, Math.min(changed.size(), from + REPORTED_UPDATE_CHUNK)), at);
        }
        return written;
    }

    private int updateReportedChunk(List<ReportedRow> rows, Timestamp at) {
        StringBuilder sql = new StringBuilder("UPDATE accounts SET ");
        List<Object> params = new ArrayList<>(rows.size() * (REPORTED_COLUMNS.size() * 2 + 3) + 2);
        for (ReportedColumn column : REPORTED_COLUMNS) {
            sql.append(column.name()).append(" = CASE account_id");
            for (ReportedRow r : rows) {
                sql.append(" WHEN ? THEN ?");
                params.add(r.accountId());
                params.add(
                        new SqlParameterValue(column.sqlType(), column.value().apply(r)));
            }
            sql.append(" ELSE ").append(column.name()).append(" END, ");
        }
        sql.append("last_report_at = ?, updated_at = ? WHERE account_id IN (")
                .append(String.join(", ", Collections.nCopies(rows.size(), "?")))
                .append(") AND (");
        params.add(at);
        params.add(at);
        rows.forEach(r -> params.add(r.accountId()));
        // The IN list finds the rows by primary key (H2 scans the table for an OR of conditions alone); each
        // row's condition then checks its server and operation. COALESCE to '': a null-safe comparison that
        // H2 and MySQL/MariaDB both run (ids are never empty).
        for (int i = 0; i < rows.size(); i++) {
            ReportedRow r = rows.get(i);
            sql.append(i == 0 ? "" : " OR ")
                    .append("(account_id = ? AND COALESCE(server_id, '') = ? AND COALESCE(operation_id, '') = ?)");
            params.add(r.accountId());
            params.add(r.serverId() == null ? "" : r.serverId());
            params.add(r.operationId() == null ? "" : r.operationId());
        }
        return jdbc.sql(sql.append(")").toString()).params(params).update();
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    /** How group ids are stored: comma-separated, or null for none. */
    public static String groupIds(List<Long> groupIds) {
        return groupIds == null || groupIds.isEmpty()
                ? null
                : groupIds.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    public long countAll() {
        return jdbc.sql("SELECT COUNT(*) FROM accounts").query(Long.class).single();
    }

    public long countUnallocated() {
        return jdbc.sql("SELECT COUNT(*) FROM accounts WHERE server_id IS NULL")
                .query(Long.class)
                .single();
    }

    /**
     * What counts against a server's max_accounts: accounts placed on it plus accounts reserved for
     * it by a migration in flight. The one definition every capacity check uses.
     */
    public int countCommittedTo(String nodeId) {
        return jdbc.sql("SELECT COUNT(*) FROM accounts WHERE server_id = ? OR reserved_server_id = ?")
                .params(nodeId, nodeId)
                .query(Integer.class)
                .single();
    }

    /** An account the database assigns to a node for it to run. */
    public record Assigned(String accountId, String scriptId) {}

    /**
     * The accounts a node should run: placed on it, held by no operation (an allocation, migration or
     * failover in flight owns its account until it completes), and not marked failed (a failed account
     * may run elsewhere; an operator decides). In account id order.
     */
    public List<Assigned> assignedTo(String nodeId) {
        return jdbc.sql("SELECT account_id, script_id FROM accounts WHERE server_id = ? AND operation_id IS NULL "
                        + "AND status <> 'failed' ORDER BY account_id")
                .param(nodeId)
                .query((rs, i) -> new Assigned(rs.getString("account_id"), rs.getString("script_id")))
                .list();
    }

    public int countOnServer(String nodeId) {
        return jdbc.sql("SELECT COUNT(*) FROM accounts WHERE server_id = ?")
                .param(nodeId)
                .query(Integer.class)
                .single();
    }

    /** Accounts on each of these servers that has at least one (an index range per server, not the whole table). */
    public Map<String, Integer> countByServer(Collection<String> nodeIds) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        Jdbc.inChunks(
                nodeIds,
                (placeholders, chunk) -> jdbc.sql("SELECT server_id, COUNT(*) AS n FROM accounts WHERE server_id IN ("
                                + placeholders + ") GROUP BY server_id")
                        .params(chunk)
                        .query((RowCallbackHandler) rs -> counts.put(rs.getString("server_id"), rs.getInt("n"))));
        return counts;
    }

    private static List<Long> parseGroupIds(String stored) {
        return stored == null || stored.isBlank()
                ? List.of()
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
