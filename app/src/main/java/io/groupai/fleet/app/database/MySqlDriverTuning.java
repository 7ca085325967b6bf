package io.groupai.fleet.app.database;

import com.zaxxer.hikari.HikariDataSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.stereotype.Component;

/**
 * Connector/J settings for a MySQL or MariaDB database ({@code DB_URL=jdbc:mysql://...}), added to the pool
 * unless the URL sets them itself. Without them the driver parses every statement's SQL again on every
 * execution (a third of the app's CPU in the heartbeat ingest bench) and sends a batch as one statement per
 * row. They are HikariCP's recommendations for MySQL; H2 gets none of them.
 */
@Component
class MySqlDriverTuning implements BeanPostProcessor {

    private static final Logger log = LoggerFactory.getLogger(MySqlDriverTuning.class);

    /** Connector/J's URLs (it serves MariaDB too; the app ships no other MySQL driver). */
    private static final Pattern MYSQL = Pattern.compile("^jdbc:mysql:.*", Pattern.CASE_INSENSITIVE);

    static final String READ_COMMITTED = "TRANSACTION_READ_COMMITTED";

    /** The settings, in the order the log lists them. */
    static final Map<String, String> PROPERTIES = properties();

    private static Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        // The parsed form of each statement, kept per connection: the parse is what costs, not the round trip.
        p.put("cachePrepStmts", "true");
        p.put("prepStmtCacheSize", "500");
        // Our longest statements are IN lists of up to a few hundred ids.
        p.put("prepStmtCacheSqlLimit", "8192");
        // Batched inserts as one multi-row INSERT: one round trip for the accounts a heartbeat reports first.
        p.put("rewriteBatchedStatements", "true");
        // Autocommit and isolation known on the client: no round trip when the pool resets them.
        p.put("useLocalSessionState", "true");
        p.put("cacheServerConfiguration", "true");
        p.put("elideSetAutoCommits", "true");
        // The app exports no OpenTelemetry traces; the driver would still build a (no-op) span per statement.
        p.put("openTelemetry", "DISABLED");
        return java.util.Collections.unmodifiableMap(p);
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof HikariDataSource pool
                && pool.getJdbcUrl() != null
                && MYSQL.matcher(pool.getJdbcUrl()).matches()) {
            String url = pool.getJdbcUrl();
            Map<String, String> added = new LinkedHashMap<>();
            PROPERTIES.forEach((name, value) -> {
                // A setting in the URL or the pool's own properties wins.
                if (!url.contains(name + "=") && !pool.getDataSourceProperties().containsKey(name)) {
                    pool.addDataSourceProperty(name, value);
                    added.put(name, value);
                }
            });
            // READ COMMITTED, the isolation every write transaction of the app asks for (and H2's default):
            // with the server's REPEATABLE READ as the pool's default, each of them cost two more round trips,
            // to set the session's isolation and to set it back. A read that needs one snapshot says so.
            if (pool.getTransactionIsolation() == null) {
                pool.setTransactionIsolation(READ_COMMITTED);
                added.put("transactionIsolation", READ_COMMITTED);
            }
            log.info("MySQL/MariaDB driver settings added: {}", added);
        }
        return bean;
    }
}
