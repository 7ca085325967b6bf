package io.groupai.fleet.app.workflows;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The app's own record of the workflows it started. Needed because the embedded Temporal server
 * does not implement ListWorkflowExecutions.
 */
@Repository
public class WorkflowRunRepository {

    private static final RowMapper<WorkflowRun> MAPPER = (rs, i) -> new WorkflowRun(
            rs.getString("workflow_id"),
            rs.getString("run_id"),
            rs.getString("workflow_type"),
            rs.getString("subject"),
            rs.getString("status"),
            rs.getString("detail"),
            toInstant(rs.getTimestamp("started_at")),
            toInstant(rs.getTimestamp("closed_at")));

    private final JdbcClient jdbc;
    private final Clock clock;

    public WorkflowRunRepository(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public void recordStart(String workflowId, String runId, String type, String subject) {
        jdbc.sql(
                        "INSERT INTO workflow_runs (workflow_id, run_id, workflow_type, subject, status, started_at) VALUES (?, ?, ?, ?, 'RUNNING', ?)")
                .params(workflowId, runId, type, subject, Timestamp.from(clock.instant()))
                .update();
    }

    public void recordStatus(String workflowId, String runId, String status, String detail, Instant closedAt) {
        jdbc.sql("UPDATE workflow_runs SET status = ?, detail = ?, closed_at = ? WHERE workflow_id = ? AND run_id = ?")
                .params(status, detail, closedAt == null ? null : Timestamp.from(closedAt), workflowId, runId)
                .update();
    }

    /** The newest run of a workflow id. */
    public Optional<WorkflowRun> latest(String workflowId) {
        return jdbc.sql("SELECT * FROM workflow_runs WHERE workflow_id = ? ORDER BY started_at DESC LIMIT 1")
                .param(workflowId)
                .query(MAPPER)
                .optional();
    }

    public List<WorkflowRun> recent(String subject, int limit) {
        if (subject == null) {
            return jdbc.sql("SELECT * FROM workflow_runs ORDER BY started_at DESC LIMIT ?")
                    .param(limit)
                    .query(MAPPER)
                    .list();
        }
        return jdbc.sql("SELECT * FROM workflow_runs WHERE subject = ? ORDER BY started_at DESC LIMIT ?")
                .params(subject, limit)
                .query(MAPPER)
                .list();
    }

    private static Instant toInstant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
