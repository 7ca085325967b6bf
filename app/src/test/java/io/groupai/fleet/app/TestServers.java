package io.groupai.fleet.app;

import io.groupai.fleet.registry.ServerRepository;
import java.sql.Timestamp;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Server rows for store-level tests, inserted directly (no SSH credentials needed). */
public final class TestServers {

    private TestServers() {}

    /**
     * An active server with room for {@code maxAccounts} that has answered a probe: a server takes
     * accounts only once it has answered a probe or sent a heartbeat.
     */
    public static void insertProbed(JdbcClient jdbc, ServerRepository servers, String nodeId, int maxAccounts) {
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.sql(
                        "INSERT INTO servers (node_id, host, port, ssh_user, credential_ref, deploy_dir, max_accounts, weight, "
                                + "health_check_interval, status, health, consecutive_failures, created_at, updated_at) "
                                + "VALUES (?, '127.0.0.1', 22, 'u', 'none', '/tmp', ?, 1, 60, 'active', 'unknown', 0, ?, ?)")
                .params(nodeId, maxAccounts, now, now)
                .update();
        servers.recordProbe(nodeId, true, 100L, 10, 20, 30, 1);
    }
}
