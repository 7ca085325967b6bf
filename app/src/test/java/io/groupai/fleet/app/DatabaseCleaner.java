package io.groupai.fleet.app;

import org.springframework.jdbc.core.simple.JdbcClient;

/** Empties the registry between tests; works the same on H2 and MySQL/MariaDB. */
public final class DatabaseCleaner {

    private DatabaseCleaner() {}

    public static void clean(JdbcClient jdbc) {
        for (String table : new String[] {
            "alert_deliveries",
            "alerts",
            "allocation_history",
            "reconcile_history",
            "node_reports",
            "node_commands",
            "node_tokens",
            "accounts",
            "account_database_keys",
            "server_credentials",
            "servers",
            "fleet_settings",
            "workflow_runs",
            "placement_counts",
            "scripts"
        }) {
            jdbc.sql("DELETE FROM " + table).update();
        }
    }
}
