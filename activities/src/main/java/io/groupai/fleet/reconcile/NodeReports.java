package io.groupai.fleet.reconcile;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The accounts each node's latest heartbeat listed as running: one row per node, overwritten by
 * every heartbeat. The reconciler compares these when a node's own queue does not answer (a node
 * that only speaks the heartbeat protocol, or an agent that is busy or restarting).
 */
@Repository
public class NodeReports {

    /** A node's latest report. */
    public record Report(List<String> running, Instant reportedAt) {}

    private final JdbcClient jdbc;

    public NodeReports(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Replaces the node's report (an UPDATE, and an INSERT only for its first heartbeat). */
    public void record(String nodeId, Collection<String> running, Instant at) {
        String ids = String.join(",", running.stream().sorted().toList());
        Timestamp now = Timestamp.from(at);
        if (jdbc.sql("UPDATE node_reports SET running = ?, reported_at = ? WHERE node_id = ?")
                        .params(ids, now, nodeId)
                        .update()
                == 0) {
            jdbc.sql("INSERT INTO node_reports (node_id, running, reported_at) VALUES (?, ?, ?) "
                            + "ON DUPLICATE KEY UPDATE running = ?, reported_at = ?")
                    .params(nodeId, ids, now, ids, now)
                    .update();
        }
    }

    /** The latest reports of these nodes (those that have one), by node id. */
    public java.util.Map<String, Report> findAll(Collection<String> nodeIds) {
        java.util.Map<String, Report> reports = new java.util.TreeMap<>();
        List<String> ids = List.copyOf(nodeIds);
        for (int i = 0; i < ids.size(); i += 500) {
            List<String> chunk = ids.subList(i, Math.min(ids.size(), i + 500));
            jdbc.sql("SELECT node_id, running, reported_at FROM node_reports WHERE node_id IN ("
                            + String.join(",", java.util.Collections.nCopies(chunk.size(), "?")) + ")")
                    .params(new java.util.ArrayList<Object>(chunk))
                    .query((org.springframework.jdbc.core.RowCallbackHandler)
                            rs -> reports.put(rs.getString(1), report(rs.getString(2), rs.getTimestamp(3))));
        }
        return reports;
    }

    private static Report report(String running, Timestamp at) {
        return new Report(running.isEmpty() ? List.of() : Arrays.asList(running.split(",")), at.toInstant());
    }

    public Optional<Report> find(String nodeId) {
        return jdbc.sql("SELECT running, reported_at FROM node_reports WHERE node_id = ?")
                .param(nodeId)
                .query((rs, row) -> new Report(
                        rs.getString(1).isEmpty()
                                ? List.of()
                                : Arrays.asList(rs.getString(1).split(",")),
                        rs.getTimestamp(2).toInstant()))
                .optional();
    }
}
