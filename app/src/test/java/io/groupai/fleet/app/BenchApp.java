package io.groupai.fleet.app;

import io.groupai.fleet.registry.NodeTokenStore;
import io.groupai.fleet.registry.PlacementCounts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What the database benches share: the whole control plane started on MariaDB/MySQL when
 * {@code DB_URL} is set (as the app reads it), else on an H2 file database; and a fleet of
 * {@code bench-NNNNN} servers with accounts seeded in multi-row inserts (kept and reused by the
 * next run when it has the same size).
 */
public final class BenchApp {

    private BenchApp() {}

    /** Starts the app; {@code -Dbench.dir} keeps the H2 file (and its seed) between runs. */
    public static ConfigurableApplicationContext start(String name) throws Exception {
        Path dir = System.getProperty("bench.dir") != null
                ? Path.of(System.getProperty("bench.dir"))
                : Files.createTempDirectory(name);
        Files.createDirectories(dir);
        Map<String, String> properties = properties(dir);
        if (System.getenv("DB_URL") == null) {
            properties.put(
                    "spring.datasource.url",
                    "jdbc:h2:file:" + dir.resolve("bench")
                            + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;NON_KEYWORDS=VALUE;AUTO_SERVER=FALSE");
        }
        // System properties outrank application.yml (default properties would not).
        properties.forEach(System::setProperty);
        return new SpringApplication(FleetApplication.class).run();
    }

    /**
     * Whether the app's background workflows run in this bench: {@code -Dbench.background=true} keeps them
     * (supervision of every server, scheduled reconciliation, rebalance and session backups); otherwise they are
     * switched off before {@link #start}, so the JVM's CPU goes to what the bench times.
     */
    public static boolean backgroundWorkflows() {
        boolean on = Boolean.getBoolean("bench.background");
        if (!on) {
            for (String off : List.of(
                    "groupai.supervision.enabled",
                    "groupai.reconcile.scheduled",
                    "groupai.rebalance.scheduled",
                    "groupai.session-backups.scheduled")) {
                System.setProperty(off, "false");
            }
        }
        return on;
    }

    /** What every bench sets: random ports, its own data directory, a fixed test key, no demo, quiet logs. */
    public static Map<String, String> properties(Path dir) {
        return new java.util.HashMap<>(Map.of(
                "server.port", "0",
                "groupai.temporal.embedded.server", "java-test-server",
                "groupai.temporal.embedded.port", "0",
                "groupai.gate.port", "0",
                "groupai.data-dir", dir.toString(),
                "groupai.sessions.dir", dir.resolve("sessions").toString(),
                "groupai.secrets.key", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                "groupai.demo.enabled", "false",
                "logging.level.root", "WARN"));
    }

    /** "H2 file" or the JDBC URL without its parameters. */
    public static String database() {
        String url = System.getenv("DB_URL");
        return url == null ? "H2 file (MySQL mode)" : url.replaceAll("\\?.*", "");
    }

    public static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    public static String nodeId(int i) {
        return "bench-%05d".formatted(i);
    }

    public static String accountId(int server, int i) {
        return "b%05d-%03d".formatted(server, i);
    }

    public static String token(int server) {
        return "bench-token-%05d-0123456789abcdef".formatted(server);
    }

    /**
     * {@code servers} servers of {@code maxAccounts}, each with {@code assigned} accounts on it
     * (status online, seen on it) and {@code unassigned} more without a server; node tokens when
     * asked. Nothing happens when the database already holds exactly this fleet.
     */
    public static void seed(
            ConfigurableApplicationContext context,
            int servers,
            int maxAccounts,
            int assigned,
            int unassigned,
            boolean tokens)
            throws Exception {
        JdbcClient jdbc = context.getBean(JdbcClient.class);
        long expected = (long) servers * (assigned + unassigned);
        long haveServers =
                jdbc.sql("SELECT COUNT(*) FROM servers").query(Long.class).single();
        long haveAccounts =
                jdbc.sql("SELECT COUNT(*) FROM accounts").query(Long.class).single();
        if (haveServers == servers && haveAccounts == expected) {
            System.out.printf("reusing the seeded fleet: %,d servers, %,d accounts%n", servers, expected);
        } else {
            if (haveServers + haveAccounts > 0) {
                throw new IllegalStateException("the database holds another fleet (" + haveServers + " servers, "
                        + haveAccounts + " accounts); give the bench an empty database");
            }
            long t0 = System.nanoTime();
            Timestamp now = Timestamp.from(Instant.now());
            List<Object[]> rows = new ArrayList<>();
            for (int s = 0; s < servers; s++) {
                rows.add(new Object[] {
                    nodeId(s),
                    "10.0." + (s / 250) + "." + (s % 250 + 1),
                    22,
                    "fleet",
                    "none",
                    "/srv/groupai",
                    maxAccounts,
                    "loc-" + (s % 20),
                    1.0,
                    60,
                    s % 10 == 9 ? "draining" : "active",
                    "healthy",
                    0,
                    now,
                    now
                });
            }
            insert(
                    context,
                    "servers (node_id, host, port, ssh_user, credential_ref, deploy_dir, max_accounts, location, weight, "
                            + "health_check_interval, status, health, consecutive_failures, created_at, updated_at)",
                    rows);
            rows.clear();
            String generator = generator(jdbc, servers * (assigned + unassigned));
            if (generator != null) {
                // Generated by the database itself: minutes faster than a million bound parameters.
                int per = assigned + unassigned;
                String server = "CONCAT('bench-', LPAD(CONCAT('', FLOOR(seq / " + per + ")), 5, '0'))";
                jdbc.sql(
                                "INSERT INTO accounts (account_id, server_id, status, source_node, message_count, reply_count, created_at, "
                                        + "updated_at) SELECT CONCAT('b', LPAD(CONCAT('', FLOOR(seq / " + per
                                        + ")), 5, '0'), '-', "
                                        + "LPAD(CONCAT('', MOD(seq, " + per + ")), 3, '0')), "
                                        + "CASE WHEN MOD(seq, " + per + ") < " + assigned + " THEN " + server + " END, "
                                        + "CASE WHEN MOD(seq, " + per + ") < " + assigned
                                        + " THEN 'online' ELSE 'unallocated' END, "
                                        + "CASE WHEN MOD(seq, " + per + ") < " + assigned + " THEN " + server
                                        + " END, 0, 0, ?, ? FROM " + generator)
                        .params(now, now)
                        .update();
            } else {
                for (int s = 0; s < servers; s++) {
                    for (int i = 0; i < assigned + unassigned; i++) {
                        boolean placed = i < assigned;
                        rows.add(new Object[] {
                            accountId(s, i),
                            placed ? nodeId(s) : null,
                            placed ? "online" : "unallocated",
                            placed ? nodeId(s) : null,
                            0,
                            0,
                            now,
                            now
                        });
                    }
                }
                insert(
                        context,
                        "accounts (account_id, server_id, status, source_node, message_count, reply_count, created_at, "
                                + "updated_at)",
                        rows);
            }
            context.getBean(PlacementCounts.class).recount();
            System.out.printf(
                    "seeded %,d servers and %,d accounts in %.1f s%n",
                    servers, expected, (System.nanoTime() - t0) / 1e9);
        }
        if (tokens
                && jdbc.sql("SELECT COUNT(*) FROM node_tokens")
                                .query(Long.class)
                                .single()
                        != servers) {
            NodeTokenStore store = context.getBean(NodeTokenStore.class);
            new TransactionTemplate(context.getBean(org.springframework.transaction.PlatformTransactionManager.class))
                    .executeWithoutResult(t -> {
                        for (int s = 0; s < servers; s++) {
                            store.save(nodeId(s), token(s));
                        }
                    });
        }
    }

    /** A row source of {@code seq} = 0..n-1 on H2 and MariaDB; null elsewhere. */
    private static String generator(JdbcClient jdbc, long n) {
        if (System.getenv("DB_URL") == null) {
            return "(SELECT seq FROM SYSTEM_RANGE(0, " + (n - 1) + ") r(seq)) g";
        }
        boolean mariadb =
                jdbc.sql("SELECT VERSION()").query(String.class).single().contains("MariaDB");
        return mariadb ? "(SELECT seq FROM seq_0_to_" + (n - 1) + ") g" : null;
    }

    /** Multi-row INSERTs of 1,000 rows each, one transaction per call. */
    private static void insert(ConfigurableApplicationContext context, String into, List<Object[]> rows)
            throws Exception {
        try (Connection c = context.getBean(DataSource.class).getConnection()) {
            c.setAutoCommit(false);
            for (int from = 0; from < rows.size(); from += 1000) {
                List<Object[]> chunk = rows.subList(from, Math.min(rows.size(), from + 1000));
                String one = "(" + String.join(", ", java.util.Collections.nCopies(chunk.get(0).length, "?")) + ")";
                String sql = "INSERT INTO " + into + " VALUES "
                        + String.join(", ", java.util.Collections.nCopies(chunk.size(), one));
                try (var statement = c.prepareStatement(sql)) {
                    int p = 1;
                    for (Object[] row : chunk) {
                        for (Object value : row) {
                            statement.setObject(p++, value);
                        }
                    }
                    statement.executeUpdate();
                }
            }
            c.commit();
        }
    }

    /** The p-th percentile of sorted values. */
    public static long percentile(List<Long> sorted, double p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }
}
