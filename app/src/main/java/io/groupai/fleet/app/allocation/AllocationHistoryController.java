package io.groupai.fleet.app.allocation;

import io.groupai.fleet.registry.InvalidInputException;
import io.groupai.fleet.registry.Page;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /account-allocation/history}: the placements that were committed (initial, manual,
 * rebalance), newest first, paged and filtered on the database (by account and server, both indexed).
 */
@RestController
class AllocationHistoryController {

    static final int MAX_PAGE_SIZE = 500;

    record HistoryEntry(
            long id,
            String accountId,
            String serverId,
            String previousServerId,
            String allocationType,
            Double loadScore,
            String workflowId,
            Instant createdAt) {}

    private final JdbcClient jdbc;

    AllocationHistoryController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @GetMapping("/api/v1/group-ai/account-allocation/history")
    Page<HistoryEntry> history(
            @RequestParam(name = "account_id", required = false) String accountId,
            @RequestParam(name = "server_id", required = false) String serverId,
            @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "50") int size) {
        if (page < 0) {
            throw new InvalidInputException("page", "must be 0 or more (pages count from 0)");
        }
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw new InvalidInputException("size", "must be between 1 and " + MAX_PAGE_SIZE);
        }
        List<String> where = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        if (accountId != null && !accountId.isBlank()) {
            where.add("account_id = ?");
            params.add(accountId);
        }
        if (serverId != null && !serverId.isBlank()) {
            where.add("server_id = ?");
            params.add(serverId);
        }
        String clause = where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where);
        long total = jdbc.sql("SELECT COUNT(*) FROM allocation_history" + clause)
                .params(params)
                .query(Long.class)
                .single();
        List<Object> pageParams = new ArrayList<>(params);
        pageParams.add(size);
        pageParams.add((long) page * size);
        List<HistoryEntry> items = jdbc.sql("SELECT id, account_id, server_id, previous_server_id, allocation_type,"
                        + " load_score, workflow_id, created_at FROM allocation_history" + clause
                        + " ORDER BY id DESC LIMIT ? OFFSET ?")
                .params(pageParams)
                .query((rs, n) -> {
                    double score = rs.getDouble("load_score");
                    Double loadScore = rs.wasNull() ? null : score;
                    java.sql.Timestamp at = rs.getTimestamp("created_at");
                    return new HistoryEntry(
                            rs.getLong("id"),
                            rs.getString("account_id"),
                            rs.getString("server_id"),
                            rs.getString("previous_server_id"),
                            rs.getString("allocation_type"),
                            loadScore,
                            rs.getString("workflow_id"),
                            at == null ? null : at.toInstant());
                })
                .list();
        return new Page<>(items, page, size, total);
    }
}
