package io.groupai.fleet.sessionformat;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.sessionformat.testing.RealForeignSessions;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForeignSessionsTest {

    @TempDir
    Path dir;

    @Test
    void readsDcAndUserIdOfARealPyrogramSession() throws Exception {
        Path f = RealForeignSessions.pyrogram(dir.resolve("pyrogram.session"), 5, 9876543210L);

        assertThat(ForeignSessions.detect(f)).contains(new ForeignSession("pyrogram", 5, 9876543210L));
        assertThat(ForeignSessions.detect(f).orElseThrow().explanation("the upload"))
                .contains("Pyrogram", "dc 5", "user id 9876543210", "log the account in again");
    }

    @Test
    void recognisesARealTelethonSession() throws Exception {
        Path f = RealForeignSessions.telethon(dir.resolve("telethon.session"), 2);

        assertThat(ForeignSessions.detect(f)).contains(new ForeignSession("telethon", 2, null));
    }

    @Test
    void otherOrTruncatedSqliteIsStillRecognisedAndAnythingElseIsNot() throws Exception {
        Path other = sqlite("other.db", "CREATE TABLE t (x INTEGER)");
        assertThat(ForeignSessions.detect(other)).contains(new ForeignSession("sqlite", null, null));

        Path truncated = Files.write(dir.resolve("truncated.session"), Arrays.copyOf(Files.readAllBytes(other), 120));
        assertThat(ForeignSessions.detect(truncated)).contains(new ForeignSession("sqlite", null, null));

        Path zip = Files.write(dir.resolve("a.zip"), new byte[] {'P', 'K', 3, 4, 0, 0});
        assertThat(ForeignSessions.detect(zip)).isEmpty();
        assertThat(ForeignSessions.detect(new ByteArrayInputStream(Files.readAllBytes(other))))
                .isPresent();
    }

    @Test
    void archiveLayoutAndEntryNames() {
        assertThat(SessionArchiveLayout.isBinlog("td.binlog")).isTrue();
        assertThat(SessionArchiveLayout.isBinlog("db/td.binlog")).isTrue();
        assertThat(SessionArchiveLayout.isBinlog("td/td.binlog")).isFalse();
        assertThat(SessionArchiveLayout.unsafeEntryName("db/td.binlog")).isNull();
        assertThat(SessionArchiveLayout.unsafeEntryName("../evil")).isEqualTo("contains '..'");
        assertThat(SessionArchiveLayout.unsafeEntryName("a/../../evil")).isEqualTo("contains '..'");
        assertThat(SessionArchiveLayout.unsafeEntryName("/etc/passwd")).isEqualTo("is an absolute path");
        assertThat(SessionArchiveLayout.unsafeEntryName("C:evil")).isEqualTo("is an absolute path");
        assertThat(SessionArchiveLayout.unsafeEntryName("a\\b")).isEqualTo("contains a backslash");
        assertThat(SessionArchiveLayout.unsafeEntryName("")).isEqualTo("has an empty or NUL name");
    }

    private Path sqlite(String name, String... statements) throws Exception {
        Path f = dir.resolve(name);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f);
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
        return f;
    }
}
