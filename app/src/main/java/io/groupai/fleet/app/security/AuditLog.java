package io.groupai.fleet.app.security;

import io.groupai.fleet.registry.Page;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Who did what: sign-ins (both outcomes), every change made through the operator API (allocations,
 * migrations, deployments, server operations, registry, keys and host-key pins), user and API-token
 * changes, and refused requests. Never carries a secret: actions, paths and outcomes only.
 */
@Repository
public class AuditLog {

    public record Entry(
            long id,
            Instant at,
            String actor,
            String action,
            String target,
            String outcome,
            String detail,
            String remoteAddr) {}

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

    private final JdbcClient jdbc;
    private final Clock clock;

    AuditLog(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Records one entry; a failure to record is logged, never turned into a failed request. */
    public void record(String actor, String action, String target, String outcome, String detail, String remote) {
        try {
            jdbc.sql("INSERT INTO audit_log (occurred_at, actor, action, target, outcome, detail, remote_addr)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?)")
                    .params(
                            Timestamp.from(clock.instant()),
                            cut(actor == null ? "anonymous" : actor, 100),
                            cut(action, 64),
                            cut(target, 300),
                            cut(outcome, 16),
                            cut(detail, 500),
                            cut(remote, 64))
                    .update();
        } catch (RuntimeException e) {
            log.error("cannot write the audit entry {} by {} on {}", action, actor, target, e);
        }
    }

    /**
     * Newest first.
     *
     * @param action an exact action, or its first part: {@code server} finds {@code server.start},
     *               {@code server.stop}, ...
     */
    public Page<Entry> find(String actor, String action, int page, int size) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (actor != null) {
            where.append(" AND actor = ?");
            params.add(actor);
        }
        if (action != null) {
            where.append(" AND (action = ? OR action LIKE ? ESCAPE '!')");
            params.add(action);
            params.add(action.replace("!", "!!").replace("%", "!%").replace("_", "!_") + ".%");
        }
        long total = jdbc.sql("SELECT COUNT(*) FROM audit_log" + where)
                .params(params)
                .query(Long.class)
                .single();
        List<Object> pageParams = new ArrayList<>(params);
        pageParams.add(size);
        pageParams.add((long) page * size);
        List<Entry> items = jdbc.sql("SELECT id, occurred_at, actor, action, target, outcome, detail, remote_addr"
                        + " FROM audit_log" + where + " ORDER BY id DESC LIMIT ? OFFSET ?")
                .params(pageParams)
                .query((rs, n) -> new Entry(
                        rs.getLong("id"),
                        rs.getTimestamp("occurred_at").toInstant(),
                        rs.getString("actor"),
                        rs.getString("action"),
                        rs.getString("target"),
                        rs.getString("outcome"),
                        rs.getString("detail"),
                        rs.getString("remote_addr")))
                .list();
        return new Page<>(items, page, size, total);
    }

    private static String cut(String value, int max) {
        if (value == null) {
            return null;
        }
        // Control characters (CR/LF from a hostile path or name) never reach the log as such.
        String clean = value.replaceAll("\\p{Cntrl}", "?");
        return clean.length() <= max ? clean : clean.substring(0, max);
    }
}
