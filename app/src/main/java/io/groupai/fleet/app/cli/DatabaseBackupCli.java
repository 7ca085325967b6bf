package io.groupai.fleet.app.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * Back-up and restore of the control plane's state in the embedded H2 database, run with the app
 * stopped (H2 keeps the file locked while the app runs):
 *
 * <pre>
 * java -jar app.jar backup  fleet-2026-12-02.sql.gz    # SCRIPT: the whole database as SQL (gzip when .gz)
 * java -jar app.jar restore fleet-2026-12-02.sql.gz    # the current state goes to data/fleet-before-restore-*.sql.gz first
 * </pre>
 *
 * The database is the one the app would open: {@code DB_URL} (with {@code DB_USER}/{@code DB_PASSWORD}),
 * else the H2 file under {@code GROUPAI_DATA_DIR} (./data). The account credentials in it are
 * encrypted with the app's secret key ({@code GROUPAI_SECRET_KEY} or data/secret.key): keep that key
 * with the backups. MySQL/MariaDB are backed up with their own tools (see the README).
 */
public final class DatabaseBackupCli {

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private DatabaseBackupCli() {}

    /** Whether {@code args} asks for this command (the app's main hands it over instead of starting). */
    public static boolean handles(String[] args) {
        return args.length > 0 && (args[0].equals("backup") || args[0].equals("restore"));
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (!handles(args) || args.length != 2) {
            err.println("usage: backup <file>   (writes the embedded H2 database as SQL; .gz compresses)");
            err.println("       restore <file>  (replaces the database with that backup; the app must be stopped)");
            return 2;
        }
        String url = url(env);
        if (!url.startsWith("jdbc:h2:")) {
            err.println(
                    "backup/restore here is for the embedded H2 database; " + redacted(url)
                            + " is not H2: use mysqldump --single-transaction (MySQL) or mariadb-backup (MariaDB), see the README");
            return 2;
        }
        Path file = Path.of(args[1]).toAbsolutePath();
        String user = env.getOrDefault("DB_USER", "sa");
        String password = env.getOrDefault("DB_PASSWORD", "");
        try {
            if (args[0].equals("backup")) {
                backup(url, user, password, file);
                out.println("backed up " + redacted(url) + " to " + file + " (" + Files.size(file) + " bytes)");
            } else {
                if (!Files.isRegularFile(file)) {
                    err.println("restore: " + file + " is not a file");
                    return 1;
                }
                Path before = file.resolveSibling("fleet-before-restore-" + STAMP.format(Instant.now()) + ".sql.gz");
                if (exists(url, user, password)) {
                    backup(url, user, password, before);
                    out.println("the state before the restore is in " + before);
                }
                restore(url, user, password, file);
                out.println("restored " + redacted(url) + " from " + file);
            }
            return 0;
        } catch (SQLException e) {
            boolean locked = String.valueOf(e.getMessage()).contains("locked");
            err.println(args[0] + " of " + redacted(url) + " failed: " + e.getMessage()
                    + (locked ? " (stop the app first: H2 keeps its database file locked while it runs)" : ""));
            return 1;
        } catch (java.io.IOException e) {
            err.println(args[0] + " failed: " + e);
            return 1;
        }
    }

    static void backup(String url, String user, String password, Path file) throws SQLException, java.io.IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (Connection c = DriverManager.getConnection(url, user, password);
                Statement s = c.createStatement()) {
            s.execute("SCRIPT TO '" + sqlString(partial) + "'" + compression(file));
        }
        // A backup file is either complete or absent.
        Files.move(
                partial,
                file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static void restore(String url, String user, String password, Path file) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password);
                Statement s = c.createStatement()) {
            s.execute("DROP ALL OBJECTS");
            s.execute("RUNSCRIPT FROM '" + sqlString(file) + "'" + compression(file));
        }
    }

    private static boolean exists(String url, String user, String password) {
        try (Connection c = DriverManager.getConnection(url + ";IFEXISTS=TRUE", user, password)) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private static String compression(Path file) {
        return file.getFileName().toString().endsWith(".gz") ? " COMPRESSION GZIP" : "";
    }

    private static String sqlString(Path path) {
        return path.toAbsolutePath().toString().replace("'", "''");
    }

    /** The URL the app would use (application.yml's default when DB_URL is unset). */
    static String url(Map<String, String> env) {
        String url = env.get("DB_URL");
        if (url != null && !url.isBlank()) {
            return url;
        }
        String dataDir = env.getOrDefault("GROUPAI_DATA_DIR", "./data");
        return "jdbc:h2:file:" + dataDir
                + "/fleet;MODE=MySQL;DATABASE_TO_LOWER=TRUE;NON_KEYWORDS=VALUE;AUTO_SERVER=FALSE";
    }

    private static String redacted(String url) {
        int semicolon = url.indexOf(';');
        return semicolon < 0 ? url : url.substring(0, semicolon);
    }
}
