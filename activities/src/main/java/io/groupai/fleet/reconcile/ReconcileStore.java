package io.groupai.fleet.reconcile;

import io.groupai.fleet.allocation.AllocationRefusedException;
import io.groupai.fleet.allocation.AllocationStore;
import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.allocation.AllocationType;
import io.groupai.fleet.workflows.reconcile.Drift;
import io.groupai.fleet.workflows.reconcile.DuplicateGroup;
import io.groupai.fleet.workflows.reconcile.RepairAction;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The reconciler's reads and writes in the database. Repairs of a held row go through
 * {@link AllocationStore}'s claim protocol (found by operation id, refused with ClaimLost when the row
 * is no longer that operation's), so a settled row keeps the placement counts right; the reconciler's
 * own updates are conditional on the row being as it saw it.
 */
@Repository
public class ReconcileStore {

    private static final Logger log = LoggerFactory.getLogger(ReconcileStore.class);
    private static final int IN_CHUNK = 500;

    /** An account row as the reconciler reads it. */
    public record Row(
            String accountId,
            String serverId,
            String reservedServerId,
            String status,
            String scriptId,
            String operationId,
            int restartAttempts,
            String sourceNode) {}

    /** One line of history. */
    public record HistoryEntry(
            long id,
            String workflowId,
            String kind,
            String accountId,
            String serverId,
            String otherServer,
            String action,
            String outcome,
            boolean alert,
            String detail,
            Instant createdAt) {}

    private static final String COLUMNS =
            "account_id, server_id, reserved_server_id, status, script_id, operation_id, restart_attempts, source_node";

    private final JdbcClient jdbc;
    private final AllocationStore allocation;
    private final Clock clock;

    public ReconcileStore(JdbcClient jdbc, AllocationStore allocation, Clock clock) {
        this.jdbc = jdbc;
        this.allocation = allocation;
        this.clock = clock;
    }

    // --- reads -------------------------------------------------------------------------------

    /** Every placed, reserved or held account, plus the rows of {@code ids} that exist; by account id. */
    public Map<String, Row> rows(Collection<String> ids) {
        Map<String, Row> rows = new TreeMap<>();
        jdbc.sql("SELECT " + COLUMNS + " FROM accounts WHERE server_id IS NOT NULL OR reserved_server_id IS NOT NULL "
                        + "OR operation_id IS NOT NULL")
                .query((RowCallbackHandler) rs -> rows.put(rs.getString(1), row(rs)));
        rows.putAll(rowsOf(ids.stream().filter(id -> !rows.containsKey(id)).toList()));
        return rows;
    }

    /**
     * The rows placed or reserved on these servers, by account id: one page of the reconciliation. Two queries,
     * each on an index (idx_accounts_server; the index InnoDB and H2 keep for the reserved_server_id foreign key).
     */
    public Map<String, Row> rowsOnServers(Collection<String> serverIds) {
        Map<String, Row> rows = new TreeMap<>();
        List<String> all = List.copyOf(serverIds);
        for (int i = 0; i < all.size(); i += IN_CHUNK) {
            List<String> chunk = all.subList(i, Math.min(all.size(), i + IN_CHUNK));
            String in = "(" + String.join(",", java.util.Collections.nCopies(chunk.size(), "?")) + ")";
            for (String column : List.of("server_id", "reserved_server_id")) {
                jdbc.sql("SELECT " + COLUMNS + " FROM accounts WHERE " + column + " IN " + in)
                        .params(new ArrayList<Object>(chunk))
                        .query((RowCallbackHandler) rs -> rows.put(rs.getString(1), row(rs)));
            }
        }
        return rows;
    }

    /** Rows held by an operation with neither a server nor a reservation (they belong to no page's server). */
    public Map<String, Row> heldWithoutServer() {
        Map<String, Row> rows = new TreeMap<>();
        jdbc.sql("SELECT " + COLUMNS + " FROM accounts WHERE operation_id IS NOT NULL AND server_id IS NULL "
                        + "AND reserved_server_id IS NULL")
                .query((RowCallbackHandler) rs -> rows.put(rs.getString(1), row(rs)));
        return rows;
    }

    /** The rows of {@code ids} that exist (and only those); by account id. */
    public Map<String, Row> rowsOf(Collection<String> ids) {
        Map<String, Row> rows = new TreeMap<>();
        List<String> all = List.copyOf(ids);
        for (int i = 0; i < all.size(); i += IN_CHUNK) {
            List<String> chunk = all.subList(i, Math.min(all.size(), i + IN_CHUNK));
            jdbc.sql("SELECT " + COLUMNS + " FROM accounts WHERE account_id IN ("
                            + String.join(",", java.util.Collections.nCopies(chunk.size(), "?")) + ")")
                    .params(new ArrayList<Object>(chunk))
                    .query((RowCallbackHandler) rs -> rows.put(rs.getString(1), row(rs)));
        }
        return rows;
    }

    /** Telegram user ids held by more than one account row. */
    public List<DuplicateGroup> duplicates() {
        Map<Long, List<String>> groups = new TreeMap<>();
        jdbc.sql("SELECT telegram_user_id, account_id FROM accounts WHERE telegram_user_id IN ("
                        + "SELECT telegram_user_id FROM accounts WHERE telegram_user_id IS NOT NULL "
                        + "GROUP BY telegram_user_id HAVING COUNT(*) > 1) ORDER BY telegram_user_id, account_id")
                .query((RowCallbackHandler) rs -> groups.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                        .add(rs.getString(2)));
        return groups.entrySet().stream()
                .map(e -> new DuplicateGroup(e.getKey(), List.copyOf(e.getValue())))
                .toList();
    }

    /** Accounts held by an operation, per status (allocating, migrating), overall and per server. */
    public record InFlight(Map<String, Long> byStatus, Map<String, Map<String, Long>> byServer) {}

    public InFlight inFlight() {
        Map<String, Long> byStatus = new TreeMap<>();
        Map<String, Map<String, Long>> byServer = new TreeMap<>();
        jdbc.sql("SELECT server_id, status, COUNT(*) FROM accounts WHERE operation_id IS NOT NULL "
                        + "GROUP BY server_id, status")
                .query((RowCallbackHandler) rs -> {
                    long n = rs.getLong(3);
                    byStatus.merge(rs.getString(2), n, Long::sum);
                    if (rs.getString(1) != null) {
                        byServer.computeIfAbsent(rs.getString(1), k -> new TreeMap<>())
                                .merge(rs.getString(2), n, Long::sum);
                    }
                });
        return new InFlight(byStatus, byServer);
    }

    public long countFailed() {
        return jdbc.sql("SELECT COUNT(*) FROM accounts WHERE status = ?")
                .param(AllocationStore.FAILED)
                .query(Long.class)
                .single();
    }

    /** The newest history lines first. */
    public List<HistoryEntry> history(int limit) {
        return jdbc.sql("SELECT id, workflow_id, kind, account_id, server_id, other_server, action, outcome, alert, "
                        + "detail, created_at FROM reconcile_history ORDER BY id DESC LIMIT ?")
                .param(limit)
                .query((rs, n) -> new HistoryEntry(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getString(8),
                        rs.getBoolean(9),
                        rs.getString(10),
                        rs.getTimestamp(11).toInstant()))
                .list();
    }

    /** History lines per drift kind, over all time (DOUBLE_RUN must stay 0). */
    public Map<String, Long> historyCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        jdbc.sql("SELECT kind, COUNT(*) FROM reconcile_history GROUP BY kind ORDER BY kind")
                .query((RowCallbackHandler) rs -> counts.put(rs.getString(1), rs.getLong(2)));
        return counts;
    }

    // --- repairs -----------------------------------------------------------------------------

    /**
     * Settles an orphaned operation's row, only while {@code operationId} still holds it.
     *
     * @throws AllocationRefusedException {@link FailureTypes#CLAIM_LOST} when it no longer does
     */
    @Transactional(isolation = Isolation.READ_COMMITTED)
    public void settle(String accountId, String serverId, String operationId, RepairAction action, String reason) {
        AllocationStore.Claim row = allocation
                .find(accountId)
                .filter(c -> operationId.equals(c.operationId()))
                .orElseThrow(() -> new AllocationRefusedException(
                        FailureTypes.CLAIM_LOST,
                        "account " + accountId + ": operation " + operationId
                                + " no longer holds the row; nothing changed"));
        switch (action) {
            case FINISH ->
                allocation.complete(
                        accountId,
                        row.serverId(),
                        AllocationStore.MIGRATING.equals(row.status())
                                ? AllocationType.REBALANCE
                                : AllocationType.INITIAL,
                        0.0,
                        operationId,
                        null);
            case RELEASE -> {
                if (row.serverId() == null) {
                    clearOperation(accountId, operationId, AllocationStore.UNALLOCATED);
                } else {
                    allocation.release(accountId, row.serverId(), operationId);
                }
            }
            case ABORT_MIGRATION -> allocation.abortMigration(accountId, row.serverId(), operationId);
            case SETTLE_OFFLINE -> clearOperation(accountId, operationId, "offline");
            case MARK_FAILED -> {
                allocation.markFailed(accountId, row.serverId(), operationId, reason);
                reason(accountId, reason);
            }
            default -> throw new IllegalArgumentException("not a settlement: " + action);
        }
        log.info("account {}: orphaned operation {} settled: {} ({})", accountId, operationId, action, reason);
    }

    /** Marks the account failed on its server, only while it is there and no operation holds it. */
    @Transactional(isolation = Isolation.READ_COMMITTED)
    public void markFailed(String accountId, String serverId, String reason) {
        int changed = jdbc.sql("UPDATE accounts SET status = ?, failure_reason = ?, updated_at = ? "
                        + "WHERE account_id = ? AND server_id = ? AND operation_id IS NULL")
                .params(AllocationStore.FAILED, truncate(reason), now(), accountId, serverId)
                .update();
        if (changed == 0) {
            throw new AllocationRefusedException(
                    FailureTypes.CLAIM_LOST,
                    "account " + accountId + " is no longer on server " + serverId
                            + " without an operation; not marked failed");
        }
        log.warn("account {} on server {} marked failed: {}", accountId, serverId, reason);
    }

    /** One more restart of the account on its server; returns the count. */
    @Transactional(isolation = Isolation.READ_COMMITTED)
    public int restartAttempt(String accountId, String serverId) {
        int changed = jdbc.sql("UPDATE accounts SET restart_attempts = restart_attempts + 1 "
                        + "WHERE account_id = ? AND server_id = ? AND operation_id IS NULL")
                .params(accountId, serverId)
                .update();
        if (changed == 0) {
            throw new AllocationRefusedException(
                    FailureTypes.CLAIM_LOST,
                    "account " + accountId + " is no longer on server " + serverId
                            + " without an operation; not restarted");
        }
        return jdbc.sql("SELECT restart_attempts FROM accounts WHERE account_id = ?")
                .param(accountId)
                .query(Integer.class)
                .single();
    }

    public void confirmRunning(Collection<String> accountIds) {
        List<String> ids = List.copyOf(accountIds);
        for (int i = 0; i < ids.size(); i += IN_CHUNK) {
            List<String> chunk = ids.subList(i, Math.min(ids.size(), i + IN_CHUNK));
            jdbc.sql("UPDATE accounts SET restart_attempts = 0 WHERE restart_attempts > 0 AND account_id IN ("
                            + String.join(",", java.util.Collections.nCopies(chunk.size(), "?")) + ")")
                    .params(new ArrayList<Object>(chunk))
                    .update();
        }
    }

    public void record(String workflowId, Drift drift, String outcome, String detail) {
        String text = detail == null ? drift.detail() : drift.detail() + " → " + detail;
        jdbc.sql("INSERT INTO reconcile_history (workflow_id, kind, account_id, server_id, other_server, action, "
                        + "outcome, alert, detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(
                        workflowId,
                        drift.kind().name(),
                        drift.accountId(),
                        drift.serverId(),
                        drift.otherServerId(),
                        drift.action().name(),
                        outcome,
                        drift.alert(),
                        truncate(text),
                        now())
                .update();
    }

    /** Sets the Telegram user id of an account (how duplicate rows are found); false if there is no such account. */
    public boolean setTelegramUserId(String accountId, Long telegramUserId) {
        return jdbc.sql("UPDATE accounts SET telegram_user_id = ?, updated_at = ? WHERE account_id = ?")
                        .params(telegramUserId, now(), accountId)
                        .update()
                > 0;
    }

    private void clearOperation(String accountId, String operationId, String status) {
        int changed = jdbc.sql(
                        "UPDATE accounts SET status = ?, operation_id = NULL, reserved_server_id = NULL, updated_at = ? "
                                + "WHERE account_id = ? AND operation_id = ?")
                .params(status, now(), accountId, operationId)
                .update();
        if (changed == 0) {
            throw new AllocationRefusedException(
                    FailureTypes.CLAIM_LOST,
                    "account " + accountId + ": operation " + operationId
                            + " no longer holds the row; nothing changed");
        }
    }

    private void reason(String accountId, String reason) {
        jdbc.sql("UPDATE accounts SET failure_reason = ? WHERE account_id = ?")
                .params(truncate(reason), accountId)
                .update();
    }

    private static String truncate(String text) {
        return text == null || text.length() <= 1000 ? text : text.substring(0, 1000) + "…";
    }

    private Timestamp now() {
        return Timestamp.from(clock.instant());
    }

    private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Row(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getInt(7),
                rs.getString(8));
    }
}
