package io.groupai.fleet.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupai.fleet.registry.NotFoundException;
import io.groupai.fleet.registry.Page;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one alert facility: anything that finds a problem (a probe, a workflow outcome, the
 * supervisor, reconciliation) calls {@link #raise}. An alert stays one row while it is open (a
 * repeat counts up {@code occurrences}); opening and resolving it each put one delivery per
 * configured webhook into the outbox in the same transaction, which {@link AlertWebhookSender}
 * drains with retries, so no notification is lost to a restart.
 */
@Service
public class AlertService {

    private static final Logger log = LoggerFactory.getLogger(AlertService.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MESSAGE = 2048;
    private static final int MAX_RESOLUTION = 512;

    private static final RowMapper<Alert> MAPPER = AlertService::map;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final AlertProperties properties;
    private final Clock clock;

    public AlertService(
            JdbcClient jdbc, PlatformTransactionManager transactions, AlertProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactions);
        // READ COMMITTED: an UPDATE that finds no open row takes no gap lock on MySQL/MariaDB, so two
        // concurrent first raises meet at the unique index (one insert wins) instead of deadlocking.
        this.tx.setIsolationLevel(TransactionDefinition.ISOLATION_READ_COMMITTED);
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * Opens an alert, or counts up the open one of the same kind, server and account.
     *
     * @param serverId  the server it concerns, or null
     * @param accountId the account it concerns, or null
     * @param message   what happened, naming account, server and step; never a secret
     */
    public Alert raise(AlertKind kind, AlertSeverity severity, String serverId, String accountId, String message) {
        if (kind == null || severity == null || message == null || message.isBlank()) {
            throw new IllegalArgumentException("an alert needs a kind, a severity and a message");
        }
        String key = openKey(kind, serverId, accountId);
        String text = truncate(message, MAX_MESSAGE);
        Timestamp now = Timestamp.from(clock.instant());
        boolean[] opened = {false};
        Alert alert = retryingOnLockConflicts(() -> tx.execute(status -> {
            opened[0] = false;
            if (countUp(key, severity, text, now) == 0) {
                try {
                    jdbc.sql(
                                    "INSERT INTO alerts (kind, severity, server_id, account_id, message, open_key, occurrences,"
                                            + " first_raised_at, last_raised_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)")
                            .params(kind.wire(), severity.wire(), serverId, accountId, text, key, now, now)
                            .update();
                    opened[0] = true;
                } catch (DuplicateKeyException raced) {
                    // Another transaction opened it between our update and insert: count up that one.
                    countUp(key, severity, text, now);
                }
            }
            Alert current = byOpenKey(key).orElseThrow();
            if (opened[0]) {
                enqueue(current, "raised");
            }
            return current;
        }));
        if (opened[0]) {
            log.warn(
                    "alert {} opened: {} ({}) server={} account={}: {}",
                    alert.id(),
                    kind.wire(),
                    severity.wire(),
                    serverId,
                    accountId,
                    text);
        } else {
            log.debug("alert {} raised again ({} times): {}", alert.id(), alert.occurrences(), text);
        }
        return alert;
    }

    /** A lock conflict (deadlock victim, lock wait timeout) rolls the whole raise back: try it again. */
    private static <T> T retryingOnLockConflicts(java.util.function.Supplier<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return work.get();
            } catch (PessimisticLockingFailureException e) {
                if (attempt >= 5) {
                    throw e;
                }
                try {
                    Thread.sleep(10L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private int countUp(String key, AlertSeverity severity, String text, Timestamp now) {
        return jdbc.sql("UPDATE alerts SET occurrences = occurrences + 1, last_raised_at = ?, message = ?, severity = ?"
                        + " WHERE open_key = ?")
                .params(now, text, severity.wire(), key)
                .update();
    }

    /** Resolves an alert by id; resolving a resolved one changes nothing. */
    public Alert resolve(long id, String resolution) {
        String text = truncate(resolution == null || resolution.isBlank() ? "resolved" : resolution, MAX_RESOLUTION);
        boolean[] resolved = {false};
        Alert alert = tx.execute(status -> {
            Alert current = get(id);
            if (current.open()) {
                resolved[0] = jdbc.sql("UPDATE alerts SET open_key = NULL, resolved_at = ?, resolution = ?"
                                        + " WHERE id = ? AND open_key IS NOT NULL")
                                .params(Timestamp.from(clock.instant()), text, id)
                                .update()
                        == 1;
            }
            Alert after = get(id);
            if (resolved[0]) {
                enqueue(after, "resolved");
            }
            return after;
        });
        if (resolved[0]) {
            log.info(
                    "alert {} resolved: {} server={} account={}: {}",
                    id,
                    alert.kind().wire(),
                    alert.serverId(),
                    alert.accountId(),
                    text);
        }
        return alert;
    }

    /** Resolves the open alert of this kind for this server and account, if there is one. */
    public Optional<Alert> resolveOpen(AlertKind kind, String serverId, String accountId, String resolution) {
        return byOpenKey(openKey(kind, serverId, accountId)).map(open -> resolve(open.id(), resolution));
    }

    /**
     * Resolves every open alert of this kind for the account, whatever server it names: e.g. a later
     * successful allocation of the account ends the allocation_failed alerts of earlier attempts.
     */
    public List<Alert> resolveOpenForAccount(AlertKind kind, String accountId, String resolution) {
        return jdbc
                .sql("SELECT id FROM alerts WHERE open_key IS NOT NULL AND kind = ? AND account_id = ?")
                .params(kind.wire(), accountId)
                .query(Long.class)
                .list()
                .stream()
                .map(id -> resolve(id, resolution))
                .toList();
    }

    public Optional<Alert> findOpen(AlertKind kind, String serverId, String accountId) {
        return byOpenKey(openKey(kind, serverId, accountId));
    }

    public Alert get(long id) {
        return jdbc.sql("SELECT * FROM alerts WHERE id = ?")
                .param(id)
                .query(MAPPER)
                .optional()
                .orElseThrow(() -> new NotFoundException("alert " + id + " does not exist"));
    }

    /** Newest first. */
    public Page<Alert> list(AlertFilter filter, int page, int size) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (filter.open() != null) {
            where.append(filter.open() ? " AND open_key IS NOT NULL" : " AND open_key IS NULL");
        }
        if (filter.kind() != null) {
            where.append(" AND kind = ?");
            params.add(filter.kind().wire());
        }
        if (filter.serverId() != null) {
            where.append(" AND server_id = ?");
            params.add(filter.serverId());
        }
        if (filter.accountId() != null) {
            where.append(" AND account_id = ?");
            params.add(filter.accountId());
        }
        long total = jdbc.sql("SELECT COUNT(*) FROM alerts" + where)
                .params(params)
                .query(Long.class)
                .single();
        List<Object> pageParams = new ArrayList<>(params);
        pageParams.add(size);
        pageParams.add((long) page * size);
        List<Alert> items = jdbc.sql("SELECT * FROM alerts" + where + " ORDER BY id DESC LIMIT ? OFFSET ?")
                .params(pageParams)
                .query(MAPPER)
                .list();
        return new Page<>(items, page, size, total);
    }

    /** Open alerts per kind (for the metrics gauge); kinds without one are absent. */
    public Map<AlertKind, Long> openCounts() {
        Map<AlertKind, Long> counts = new LinkedHashMap<>();
        jdbc.sql("SELECT kind, COUNT(*) AS n FROM alerts WHERE open_key IS NOT NULL GROUP BY kind")
                .query((rs, i) -> Map.entry(rs.getString("kind"), rs.getLong("n")))
                .list()
                .forEach(e -> {
                    try {
                        counts.put(AlertKind.fromWire(e.getKey()), e.getValue());
                    } catch (IllegalArgumentException unknownToThisVersion) {
                        // A kind written by a newer version: not counted here.
                    }
                });
        return counts;
    }

    private Optional<Alert> byOpenKey(String key) {
        return jdbc.sql("SELECT * FROM alerts WHERE open_key = ?")
                .param(key)
                .query(MAPPER)
                .optional();
    }

    private void enqueue(Alert alert, String event) {
        if (properties.webhooks().isEmpty()) {
            return;
        }
        String payload = payload(alert, event);
        Instant instant = clock.instant();
        Timestamp now = Timestamp.from(instant);
        // Due at once: the second it was raised in, rounded down, because the database rounds a stored
        // time to its precision (H2 half-up to the millisecond) and a time rounded up would not be due
        // to a drain that runs within the same millisecond.
        Timestamp due = Timestamp.from(instant.truncatedTo(ChronoUnit.SECONDS));
        for (AlertProperties.Webhook webhook : properties.webhooks()) {
            jdbc.sql("INSERT INTO alert_deliveries (alert_id, event, webhook_url, payload, status, attempts,"
                            + " next_attempt_at, created_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)")
                    .params(alert.id(), event, webhook.url(), payload, due, now)
                    .update();
        }
    }

    /** The webhook body: {@code {"event": "raised"|"resolved", "alert": {...}}}, snake_case like the API. */
    static String payload(Alert alert, String event) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", event);
        body.put("alert", view(alert));
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("alert " + alert.id() + " could not be written as JSON", e);
        }
    }

    /** The alert as the API and the webhooks show it. */
    public static Map<String, Object> view(Alert alert) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", alert.id());
        view.put("kind", alert.kind().wire());
        view.put("severity", alert.severity().wire());
        view.put("server_id", alert.serverId());
        view.put("account_id", alert.accountId());
        view.put("message", alert.message());
        view.put("open", alert.open());
        view.put("occurrences", alert.occurrences());
        view.put("first_raised_at", string(alert.firstRaisedAt()));
        view.put("last_raised_at", string(alert.lastRaisedAt()));
        view.put("resolved_at", string(alert.resolvedAt()));
        view.put("resolution", alert.resolution());
        return view;
    }

    private static String string(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    static String openKey(AlertKind kind, String serverId, String accountId) {
        return kind.wire() + "|" + (serverId == null ? "" : serverId) + "|" + (accountId == null ? "" : accountId);
    }

    private static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    private static Alert map(ResultSet rs, int row) throws SQLException {
        Timestamp resolved = rs.getTimestamp("resolved_at");
        return new Alert(
                rs.getLong("id"),
                AlertKind.fromWire(rs.getString("kind")),
                AlertSeverity.fromWire(rs.getString("severity")),
                rs.getString("server_id"),
                rs.getString("account_id"),
                rs.getString("message"),
                rs.getString("open_key") != null,
                rs.getInt("occurrences"),
                rs.getTimestamp("first_raised_at").toInstant(),
                rs.getTimestamp("last_raised_at").toInstant(),
                resolved == null ? null : resolved.toInstant(),
                rs.getString("resolution"));
    }
}
