package io.groupai.fleet.alerts;

import java.time.Clock;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The database of the alert tests: a fresh in-memory H2 database with the project's migrations, or
 * the MySQL/MariaDB database that DB_URL names (CI's second pass), emptied of alerts first.
 */
final class AlertDatabase {

    final DataSource dataSource;
    final JdbcClient jdbc;
    final DataSourceTransactionManager transactions;
    final boolean h2;

    AlertDatabase() {
        String url = System.getenv("DB_URL");
        h2 = url == null || url.isBlank() || url.startsWith("jdbc:h2:");
        dataSource = h2
                ? new DriverManagerDataSource("jdbc:h2:mem:alerts-" + UUID.randomUUID()
                        + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;NON_KEYWORDS=VALUE;DB_CLOSE_DELAY=-1")
                : new DriverManagerDataSource(
                        url,
                        System.getenv().getOrDefault("DB_USER", "root"),
                        System.getenv().getOrDefault("DB_PASSWORD", ""));
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        jdbc = JdbcClient.create(dataSource);
        transactions = new DataSourceTransactionManager(dataSource);
        jdbc.sql("DELETE FROM alert_deliveries").update();
        jdbc.sql("DELETE FROM alerts").update();
    }

    AlertService service(AlertProperties properties) {
        return service(properties, Clock.systemUTC());
    }

    AlertService service(AlertProperties properties, Clock clock) {
        return new AlertService(jdbc, transactions, properties, clock);
    }

    AlertWebhookSender sender(AlertProperties properties) {
        return sender(properties, Clock.systemUTC());
    }

    AlertWebhookSender sender(AlertProperties properties, Clock clock) {
        return new AlertWebhookSender(jdbc, properties, clock);
    }

    void shutdown() {
        if (h2) {
            jdbc.sql("SHUTDOWN").update();
        }
    }
}
