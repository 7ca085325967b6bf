package io.groupai.fleet.app.database;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.groupai.fleet.app.FleetIntegrationTest;
import java.sql.Connection;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The app's pool carries the Connector/J settings on MySQL/MariaDB (the MariaDB pass of CI runs this with
 * {@code DB_URL=jdbc:mysql://...}) and none on H2, whose driver would refuse them.
 */
@FleetIntegrationTest
class MySqlDriverTuningTest {

    @Autowired
    DataSource dataSource;

    @Test
    void mysqlGetsTheDriverSettingsAndH2None() throws Exception {
        HikariDataSource pool = dataSource.unwrap(HikariDataSource.class);
        if (pool.getJdbcUrl().startsWith("jdbc:mysql:")) {
            MySqlDriverTuning.PROPERTIES.forEach((name, value) -> {
                if (!pool.getJdbcUrl().contains(name + "=")) {
                    assertThat(pool.getDataSourceProperties()).containsEntry(name, value);
                }
            });
            assertThat(pool.getTransactionIsolation()).isEqualTo(MySqlDriverTuning.READ_COMMITTED);
            try (var connection = pool.getConnection()) {
                assertThat(connection.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
            }
        } else {
            assertThat(pool.getJdbcUrl()).startsWith("jdbc:h2:");
            assertThat(pool.getDataSourceProperties()).doesNotContainKeys("cachePrepStmts", "rewriteBatchedStatements");
        }
        // Whatever the database, the pool works with them.
        try (var connection = pool.getConnection();
                var statement = connection.createStatement();
                var rows = statement.executeQuery("SELECT 1")) {
            assertThat(rows.next()).isTrue();
        }
    }
}
