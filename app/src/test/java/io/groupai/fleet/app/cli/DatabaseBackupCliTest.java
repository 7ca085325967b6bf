package io.groupai.fleet.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** backup / restore of the embedded H2 database, on a file database with the project's schema. */
class DatabaseBackupCliTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        return DatabaseBackupCli.run(
                args,
                env,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void backupChangeRestoreGivesBackTheOldState() throws Exception {
        Map<String, String> env = Map.of("GROUPAI_DATA_DIR", dir.resolve("data").toString());
        String url = DatabaseBackupCli.url(env);
        Flyway.configure()
                .dataSource(url, "sa", "")
                .locations("classpath:db/migration")
                .load()
                .migrate();
        sql(
                url,
                "INSERT INTO fleet_settings (name, setting, updated_at) VALUES ('backup-test', 'before', CURRENT_TIMESTAMP)");

        Path backup = dir.resolve("backups/fleet.sql.gz");
        assertThat(run(env, "backup", backup.toString())).as(err.toString()).isZero();
        assertThat(backup).isRegularFile();
        assertThat(Files.size(backup)).isPositive();

        sql(url, "UPDATE fleet_settings SET setting = 'after' WHERE name = 'backup-test'");
        sql(
                url,
                "INSERT INTO fleet_settings (name, setting, updated_at) VALUES ('added-later', 'x', CURRENT_TIMESTAMP)");
        assertThat(settings(url)).containsExactlyInAnyOrder("backup-test=after", "added-later=x");

        assertThat(run(env, "restore", backup.toString())).as(err.toString()).isZero();
        assertThat(settings(url)).containsExactly("backup-test=before");
        // The schema history came back too, so the app starts on it without re-migrating.
        assertThat(Flyway.configure()
                        .dataSource(url, "sa", "")
                        .locations("classpath:db/migration")
                        .load()
                        .info()
                        .pending())
                .isEmpty();
        // What was there before the restore is kept beside the backup.
        try (var files = Files.list(backup.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .anyMatch(name -> name.startsWith("fleet-before-restore-") && name.endsWith(".sql.gz"));
        }
        assertThat(out.toString()).contains("backed up", "restored");
    }

    @Test
    void mysqlIsPointedAtItsOwnToolsAndBadUsageIsExplained() {
        assertThat(run(Map.of("DB_URL", "jdbc:mysql://db.internal:3306/groupai"), "backup", "x.sql"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("mysqldump", "jdbc:mysql://db.internal:3306/groupai");
        assertThat(run(Map.of(), "backup")).isEqualTo(2);
        assertThat(err.toString()).contains("usage: backup <file>");
        assertThat(run(
                        Map.of("GROUPAI_DATA_DIR", dir.toString()),
                        "restore",
                        dir.resolve("missing.sql").toString()))
                .isEqualTo(1);
        assertThat(DatabaseBackupCli.handles(new String[] {"backup", "f"})).isTrue();
        assertThat(DatabaseBackupCli.handles(new String[] {"--server.port=0"})).isFalse();
    }

    private static void sql(String url, String statement) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "sa", "");
                Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private static List<String> settings(String url) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, "sa", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT name, setting FROM fleet_settings")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + "=" + rs.getString(2));
            }
        }
        return rows;
    }
}
