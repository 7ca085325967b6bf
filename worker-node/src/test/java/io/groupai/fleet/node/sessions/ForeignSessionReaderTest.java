package io.groupai.fleet.node.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.node.sessions.ForeignSessionReader.ForeignSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure-Java SQLite reader against files written by the real SQLite (sqlite-jdbc). */
class ForeignSessionReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsRowsThatSpillIntoOverflowPagesAndMultiPageTrees() throws Exception {
        Path f = dir.resolve("small-pages.session");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement s = c.createStatement()) {
            // 512-byte pages: the 256-byte auth key plus a long text push the row into overflow pages,
            // and 300 peers make the schema table and b-trees span several pages.
            s.execute("PRAGMA page_size = 512");
            for (int i = 0; i < 30; i++) {
                s.execute("CREATE TABLE filler" + i + " (a INTEGER, b TEXT)");
            }
            s.execute("CREATE TABLE sessions (dc_id INTEGER PRIMARY KEY, api_id INTEGER, test_mode INTEGER, "
                    + "auth_key BLOB, date INTEGER NOT NULL, user_id INTEGER, is_bot INTEGER, note TEXT)");
            s.execute("INSERT INTO sessions VALUES (5, 1, 0, randomblob(256), 1700000000, 9876543210, 0, '"
                    + "x".repeat(2000) + "')");
        }
        assertThat(ForeignSessionReader.isSqlite(f)).isTrue();
        assertThat(ForeignSessionReader.read(f)).isEqualTo(new ForeignSession("pyrogram", 5, 9876543210L));
    }

    @Test
    void truncatedOrUnknownSqliteIsStillRecognised() throws Exception {
        Path f = dir.resolve("other.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (x INTEGER)");
        }
        assertThat(ForeignSessionReader.read(f)).isEqualTo(new ForeignSession("sqlite", null, null));
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(f), 120);
        assertThat(ForeignSessionReader.read(head)).isEqualTo(new ForeignSession("sqlite", null, null));
        assertThat(ForeignSessionReader.isSqlite("PK\u0003\u0004".getBytes())).isFalse();
    }
}
