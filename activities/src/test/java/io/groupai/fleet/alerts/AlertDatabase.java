package io.groupai.fleet.alerts;

import java.time.Clock;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** A fresh in-memory H2 database with the project's migrations, for the alert tests. */
final class AlertDatabase {

    final DataSource dataSource;
    final JdbcClient jdbc;
    final DataSourceTransactionManager transactions;

    AlertDatabase() {
        dataSource = new DriverManagerDataSource("jdbc:h2:mem:alerts-" + UUID.randomUUID()
                + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;NON_KEYWORDS=VALUE;DB_CLOSE_DELAY=-1");
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        jdbc = JdbcClient.create(dataSource);
        transactions = new DataSourceTransactionManager(dataSource);
    }

    AlertService service(AlertProperties properties) {
        return new AlertService(jdbc, transactions, properties, Clock.systemUTC());
    }

    AlertWebhookSender sender(AlertProperties properties) {
        return new AlertWebhookSender(jdbc, properties, Clock.systemUTC());
    }

    void shutdown() {
        jdbc.sql("SHUTDOWN").update();
    }
}
