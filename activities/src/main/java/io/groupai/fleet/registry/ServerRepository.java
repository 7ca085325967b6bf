package io.groupai.fleet.registry;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The servers table. Plain SQL that runs unchanged on H2, MySQL 8 and MariaDB. */
@Repository
public class ServerRepository {

    private static final String COLUMNS =
            "node_id, host, port, ssh_user, credential_ref, deploy_dir, max_accounts, location, "
                    + "weight, allocation_strategy, health_check_interval, status, health, process_alive, worker_pid, cpu_usage, "
                    + "memory_usage, disk_usage, latency_ms, consecutive_failures, last_failure_at, last_probe_at, last_probe_error, "
                    + "last_heartbeat, lease_expires_at, host_key_type, host_key, created_at, updated_at, supervision, service_mode, node_service";

    private static final RowMapper<ServerRecord> MAPPER = ServerRepository::map;

    private final JdbcClient jdbc;
    private final Clock clock;

    public ServerRepository(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public boolean exists(String nodeId) {
        return jdbc.sql("SELECT COUNT(*) FROM servers WHERE node_id = ?")
                        .param(nodeId)
                        .query(Integer.class)
                        .single()
                > 0;
    }

    public void insert(ServerDefinition d, String credentialRef) {
        Timestamp now = now();
        jdbc.sql(
                        "INSERT INTO servers (node_id, host, port, ssh_user, credential_ref, deploy_dir, max_accounts, location, weight, "
                                + "allocation_strategy, health_check_interval, status, health, consecutive_failures, created_at, updated_at, "
                                + "service_mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'unknown', 0, ?, ?, ?)")
                .params(
                        d.nodeId(),
                        d.host(),
                        d.port(),
                        d.user(),
                        credentialRef,
                        d.deployDir(),
                        d.maxAccounts(),
                        d.location(),
                        d.weight(),
                        d.allocationStrategy(),
                        d.healthCheckInterval(),
                        d.status(),
                        now,
                        now,
                        d.serviceMode())
                .update();
    }

    /** Updates the declared fields; observed health, metrics and the pinned host key are kept. */
    public void update(ServerDefinition d, String credentialRef) {
        jdbc.sql(
                        "UPDATE servers SET host = ?, port = ?, ssh_user = ?, credential_ref = ?, deploy_dir = ?, max_accounts = ?, "
                                + "location = ?, weight = ?, allocation_strategy = ?, health_check_interval = ?, status = ?, updated_at = ?, "
                                + "service_mode = ? WHERE node_id = ?")
                .params(
                        d.host(),
                        d.port(),
                        d.user(),
                        credentialRef,
                        d.deployDir(),
                        d.maxAccounts(),
                        d.location(),
                        d.weight(),
                        d.allocationStrategy(),
                        d.healthCheckInterval(),
                        d.status(),
                        now(),
                        d.serviceMode(),
                        d.nodeId())
                .update();
    }

    public Optional<ServerRecord> find(String nodeId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM servers WHERE node_id = ?")
                .param(nodeId)
                .query(MAPPER)
                .optional();
    }

    public ServerRecord get(String nodeId) {
        return find(nodeId).orElseThrow(() -> NotFoundException.server(nodeId));
    }

    public List<ServerRecord> findAll() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM servers ORDER BY node_id")
                .query(MAPPER)
                .list();
    }

    /** The servers of {@code nodeIds} that exist, in node id order. */
    public List<ServerRecord> findAll(java.util.Collection<String> nodeIds) {
        if (nodeIds.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("SELECT " + COLUMNS + " FROM servers WHERE node_id IN ("
                        + String.join(",", java.util.Collections.nCopies(nodeIds.size(), "?")) + ") ORDER BY node_id")
                .params(new ArrayList<Object>(nodeIds))
                .query(MAPPER)
                .list();
    }

    /**
     * Node ids in order after {@code after} (null: from the first), at most {@code limit}: of {@code only}
     * when it is not empty, else of every server. Pages through 10,000 servers without reading their rows.
     */
    public List<String> nodeIdsAfter(java.util.Collection<String> only, String after, int limit) {
        List<String> where = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        if (only != null && !only.isEmpty()) {
            where.add("node_id IN (" + String.join(",", java.util.Collections.nCopies(only.size(), "?")) + ")");
            params.addAll(only);
        }
        if (after != null) {
            where.add("node_id > ?");
            params.add(after);
        }
        params.add(limit);
        return jdbc.sql("SELECT node_id FROM servers" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                        + " ORDER BY node_id LIMIT ?")
                .params(params)
                .query(String.class)
                .list();
    }

    /** How many servers there are of {@code only} (when it is not empty), else in all. */
    public int count(java.util.Collection<String> only) {
        if (only == null || only.isEmpty()) {
            return jdbc.sql("SELECT COUNT(*) FROM servers").query(Integer.class).single();
        }
        return jdbc.sql("SELECT COUNT(*) FROM servers WHERE node_id IN ("
                        + String.join(",", java.util.Collections.nCopies(only.size(), "?")) + ")")
                .params(new ArrayList<Object>(only))
                .query(Integer.class)
                .single();
    }

    /** Servers filtered on the database by status, health and location (each optional), in node id order. */
    public Page<ServerRecord> list(String status, String health, String location, int page, int size) {
        List<String> where = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        for (String[] condition : new String[][] {{"status", status}, {"health", health}, {"location", location}}) {
            if (condition[1] != null) {
                where.add(condition[0] + " = ?");
                params.add(condition[1]);
            }
        }
        String clause = where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where);
        long total = jdbc.sql("SELECT COUNT(*) FROM servers" + clause)
                .params(params)
                .query(Long.class)
                .single();
        List<Object> pageParams = new ArrayList<>(params);
        pageParams.add(size);
        pageParams.add((long) page * size);
        List<ServerRecord> items = jdbc.sql(
                        "SELECT " + COLUMNS + " FROM servers" + clause + " ORDER BY node_id LIMIT ? OFFSET ?")
                .params(pageParams)
                .query(MAPPER)
                .list();
        return new Page<>(items, page, size, total);
    }

    public int delete(String nodeId) {
        return jdbc.sql("DELETE FROM servers WHERE node_id = ?").param(nodeId).update();
    }

    public void recordProbe(
            String nodeId, boolean processAlive, Long pid, double cpu, double memory, double disk, long latencyMs) {
        jdbc.sql(
                        "UPDATE servers SET health = 'healthy', process_alive = ?, worker_pid = ?, cpu_usage = ?, memory_usage = ?, "
                                + "disk_usage = ?, latency_ms = ?, consecutive_failures = 0, last_probe_at = ?, last_probe_error = NULL, "
                                + "updated_at = ? WHERE node_id = ?")
                .params(processAlive, pid, cpu, memory, disk, latencyMs, now(), now(), nodeId)
                .update();
    }

    public void recordProbeFailure(String nodeId, String error) {
        Timestamp now = now();
        jdbc.sql(
                        "UPDATE servers SET health = 'unhealthy', consecutive_failures = consecutive_failures + 1, last_failure_at = ?, "
                                + "last_probe_at = ?, last_probe_error = ?, updated_at = ? WHERE node_id = ?")
                .params(now, now, truncate(error, 1024), now, nodeId)
                .update();
    }

    public void pinHostKey(String nodeId, String type, String base64) {
        jdbc.sql("UPDATE servers SET host_key_type = ?, host_key = ?, updated_at = ? WHERE node_id = ?")
                .params(type, base64, now(), nodeId)
                .update();
    }

    /** Pins only where no pin exists: one conditional update, so concurrent first contacts cannot both pin. */
    public boolean pinHostKeyIfAbsent(String nodeId, String type, String base64) {
        return jdbc.sql("UPDATE servers SET host_key_type = ?, host_key = ?, updated_at = ? "
                                + "WHERE node_id = ? AND host_key IS NULL")
                        .params(type, base64, now(), nodeId)
                        .update()
                == 1;
    }

    public java.util.Optional<String> expectedHostKey(String nodeId) {
        return jdbc.sql("SELECT expected_host_key FROM servers WHERE node_id = ?")
                .param(nodeId)
                .query((rs, n) -> java.util.Optional.ofNullable(rs.getString(1)))
                .optional()
                .flatMap(o -> o);
    }

    public void setExpectedHostKey(String nodeId, String fingerprint) {
        jdbc.sql("UPDATE servers SET expected_host_key = ?, updated_at = ? WHERE node_id = ?")
                .params(fingerprint, now(), nodeId)
                .update();
    }

    public int clearHostKey(String nodeId) {
        return jdbc.sql("UPDATE servers SET host_key_type = NULL, host_key = NULL, updated_at = ? WHERE node_id = ?")
                .params(now(), nodeId)
                .update();
    }

    /** Renews the node's lease; the UPDATE also takes the server row's lock for the caller's transaction. */
    public void recordHeartbeat(
            String nodeId, Instant at, Instant leaseExpiresAt, String reportedStatus, int reportedAccounts) {
        if (jdbc.sql(
                                "UPDATE servers SET last_heartbeat = ?, lease_expires_at = ?, heartbeat_status = ?, reported_accounts = ? "
                                        + "WHERE node_id = ?")
                        .params(
                                Timestamp.from(at),
                                Timestamp.from(leaseExpiresAt),
                                reportedStatus,
                                reportedAccounts,
                                nodeId)
                        .update()
                == 0) {
            throw NotFoundException.server(nodeId);
        }
    }

    /** What bootstrap installed to run the agent (systemd, systemd-user, pidfile): start, stop and probe follow it. */
    public void recordNodeService(String nodeId, String nodeService) {
        jdbc.sql("UPDATE servers SET node_service = ?, updated_at = ? WHERE node_id = ?")
                .params(nodeService, now(), nodeId)
                .update();
    }

    /** The server's own probe interval (seconds), when one is set. */
    public Optional<Long> probeIntervalSeconds(String nodeId) {
        return jdbc.sql("SELECT probe_interval FROM servers WHERE node_id = ? AND probe_interval IS NOT NULL")
                .param(nodeId)
                .query(Long.class)
                .optional();
    }

    private Timestamp now() {
        return Timestamp.from(clock.instant());
    }

    private static String truncate(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }

    private static ServerRecord map(ResultSet rs, int row) throws SQLException {
        return new ServerRecord(
                rs.getString("node_id"),
                rs.getString("host"),
                rs.getInt("port"),
                rs.getString("ssh_user"),
                rs.getString("credential_ref"),
                rs.getString("deploy_dir"),
                rs.getInt("max_accounts"),
                rs.getString("location"),
                rs.getDouble("weight"),
                rs.getString("allocation_strategy"),
                rs.getInt("health_check_interval"),
                ServerStatus.fromWire(rs.getString("status")).orElseThrow(),
                rs.getString("health"),
                Jdbc.nullableBoolean(rs, "process_alive"),
                Jdbc.nullableLong(rs, "worker_pid"),
                Jdbc.nullableDouble(rs, "cpu_usage"),
                Jdbc.nullableDouble(rs, "memory_usage"),
                Jdbc.nullableDouble(rs, "disk_usage"),
                Jdbc.nullableLong(rs, "latency_ms"),
                rs.getInt("consecutive_failures"),
                Jdbc.instant(rs, "last_failure_at"),
                Jdbc.instant(rs, "last_probe_at"),
                rs.getString("last_probe_error"),
                Jdbc.instant(rs, "last_heartbeat"),
                Jdbc.instant(rs, "lease_expires_at"),
                rs.getString("host_key_type"),
                rs.getString("host_key"),
                Jdbc.instant(rs, "created_at"),
                Jdbc.instant(rs, "updated_at"),
                rs.getString("supervision"),
                rs.getString("service_mode"),
                rs.getString("node_service"));
    }
}
