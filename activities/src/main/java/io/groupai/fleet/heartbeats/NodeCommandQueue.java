package io.groupai.fleet.heartbeats;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Repository;

/**
 * Commands for nodes that speak the seed's heartbeat protocol, delivered at least once: a
 * command is re-sent with every heartbeat until the node acknowledges or reports it failed.
 */
@Repository
public class NodeCommandQueue {

    private static final RowMapper<PendingCommand> MAPPER = (rs, i) -> new PendingCommand(
            rs.getLong("id"),
            rs.getString("node_id"),
            rs.getString("action"),
            rs.getString("params"),
            rs.getString("status"),
            rs.getInt("attempts"),
            rs.getString("error"));

    private final JdbcClient jdbc;
    private final Clock clock;

    public NodeCommandQueue(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public long enqueue(String nodeId, String action, String paramsJson) {
        KeyHolder keys = new GeneratedKeyHolder();
        jdbc.sql(
                        "INSERT INTO node_commands (node_id, action, params, status, attempts, created_at) VALUES (?, ?, ?, 'pending', 0, ?)")
                .params(nodeId, action, paramsJson, Timestamp.from(clock.instant()))
                .update(keys, "id");
        return keys.getKey().longValue();
    }

    /** Commands not yet acknowledged, oldest first, marked as delivered (once more). */
    public List<PendingCommand> deliver(String nodeId) {
        List<PendingCommand> open = jdbc.sql(
                        "SELECT * FROM node_commands WHERE node_id = ? AND status IN ('pending', 'delivered') ORDER BY id")
                .param(nodeId)
                .query(MAPPER)
                .list();
        Timestamp now = Timestamp.from(clock.instant());
        for (PendingCommand command : open) {
            jdbc.sql(
                            "UPDATE node_commands SET status = 'delivered', attempts = attempts + 1, delivered_at = ? WHERE id = ?")
                    .params(now, command.id())
                    .update();
        }
        return open;
    }

    /** Acknowledgements count only for the node's own commands. */
    public void acknowledge(String nodeId, List<Long> ids) {
        Timestamp now = Timestamp.from(clock.instant());
        for (Long id : ids) {
            jdbc.sql(
                            "UPDATE node_commands SET status = 'acked', finished_at = ? WHERE id = ? AND node_id = ? AND status <> 'acked'")
                    .params(now, id, nodeId)
                    .update();
        }
    }

    public void fail(String nodeId, long id, String error) {
        jdbc.sql(
                        "UPDATE node_commands SET status = 'failed', error = ?, finished_at = ? WHERE id = ? AND node_id = ? AND status <> 'acked'")
                .params(
                        error == null ? null : error.substring(0, Math.min(error.length(), 1024)),
                        Timestamp.from(clock.instant()),
                        id,
                        nodeId)
                .update();
    }

    public List<PendingCommand> recent(String nodeId, int limit) {
        return jdbc.sql("SELECT * FROM node_commands WHERE node_id = ? ORDER BY id DESC LIMIT ?")
                .params(nodeId, limit)
                .query(MAPPER)
                .list();
    }
}
