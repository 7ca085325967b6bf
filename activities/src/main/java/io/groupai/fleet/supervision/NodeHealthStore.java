package io.groupai.fleet.supervision;

import io.groupai.fleet.workflows.supervision.HealthEvent;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** The supervisor's verdict on each server row and the history of its events (node_health_events). */
@Repository
public class NodeHealthStore {

    /** A stored event, newest first when listed. */
    public record StoredEvent(long id, String nodeId, String state, String event, String detail, Instant at) {}

    private final JdbcClient jdbc;
    private final Clock clock;

    public NodeHealthStore(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Updates the row's verdict (only when it changed) and appends the event; false when the server is gone. */
    @Transactional
    public boolean record(String nodeId, HealthEvent event) {
        Instant at = parse(event.at());
        int rows = jdbc.sql("UPDATE servers SET supervision = ?, supervision_reason = ?, supervision_changed_at = ? "
                        + "WHERE node_id = ? AND (supervision IS NULL OR supervision <> ?)")
                .params(event.state(), truncate(event.detail()), Timestamp.from(at), nodeId, event.state())
                .update();
        boolean exists = rows > 0
                || jdbc.sql("SELECT COUNT(*) FROM servers WHERE node_id = ?")
                                .param(nodeId)
                                .query(Integer.class)
                                .single()
                        > 0;
        if (!exists) {
            return false;
        }
        jdbc.sql("INSERT INTO node_health_events (node_id, state, event, detail, created_at) VALUES (?, ?, ?, ?, ?)")
                .params(nodeId, event.state(), event.event(), truncate(event.detail()), Timestamp.from(at))
                .update();
        return true;
    }

    public List<StoredEvent> recent(String nodeId, int limit) {
        return jdbc.sql(
                        "SELECT id, node_id, state, event, detail, created_at FROM node_health_events WHERE node_id = ? "
                                + "ORDER BY id DESC LIMIT ?")
                .params(nodeId, limit)
                .query((rs, i) -> new StoredEvent(
                        rs.getLong("id"),
                        rs.getString("node_id"),
                        rs.getString("state"),
                        rs.getString("event"),
                        rs.getString("detail"),
                        rs.getTimestamp("created_at").toInstant()))
                .list();
    }

    /** Servers the supervisor has marked down, by node id. */
    public List<String> downServers() {
        return jdbc.sql("SELECT node_id FROM servers WHERE supervision = 'down' ORDER BY node_id")
                .query(String.class)
                .list();
    }

    /** Recent events of every server, newest first. */
    public List<StoredEvent> recentAll(int limit) {
        return jdbc.sql("SELECT id, node_id, state, event, detail, created_at FROM node_health_events "
                        + "ORDER BY id DESC LIMIT ?")
                .param(limit)
                .query((rs, i) -> new StoredEvent(
                        rs.getLong("id"),
                        rs.getString("node_id"),
                        rs.getString("state"),
                        rs.getString("event"),
                        rs.getString("detail"),
                        rs.getTimestamp("created_at").toInstant()))
                .list();
    }

    private Instant parse(String at) {
        try {
            return at == null ? clock.instant() : Instant.parse(at);
        } catch (DateTimeParseException e) {
            return clock.instant();
        }
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 1024 ? s : s.substring(0, 1024);
    }
}
