package io.groupai.fleet.app.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.sessionformat.testing.RealForeignSessions;
import io.groupai.fleet.sessions.SessionStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

@FleetIntegrationTest
class SessionUploadApiTest {

    private static final String PATH = "/api/v1/group-ai/accounts/639000000777/session";

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    SessionStore store;

    @TempDir
    Path dir;

    Api api;

    @BeforeEach
    void setUp() throws IOException {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
        api.post("/api/v1/group-ai/accounts", "{\"account_id\": \"639000000777\"}");
        store.delete("639000000777");
    }

    @Test
    void storesAZippedTdlibDirectoryAndKeepsItWhenALaterUploadIsRefused() throws Exception {
        byte[] zip = zip("td.binlog", "binlog-bytes", "db.sqlite", "db-bytes", "files/", null);

        Api.Response stored = api.put(PATH, zip, "application/zip");

        assertThat(stored.status()).as(stored.body()).isEqualTo(200);
        assertThat(stored.json().get("format").asString()).isEqualTo("tdlib");
        assertThat(stored.json().get("sha256").asString()).isEqualTo(sha256(zip));
        assertThat(store.readAllBytes("639000000777")).isEqualTo(zip);
        assertThat(new String(Files.readAllBytes(store.currentFile("639000000777")), StandardCharsets.ISO_8859_1))
                .as("encrypted at rest")
                .doesNotContain("binlog-bytes", "td.binlog");

        assertThat(api.put(PATH, zip("../../etc/cron.d/x", "boom", "td.binlog", "b"), "application/zip")
                        .status())
                .isEqualTo(400);
        assertThat(store.readAllBytes("639000000777"))
                .as("previous session untouched")
                .isEqualTo(zip);
    }

    @Test
    void refusesUnsafeOrWrongArchivesAndStoresNothing() throws Exception {
        assertRefused(zip("../evil", "x", "td.binlog", "b"), "unsafe entry name '../evil'");
        assertRefused(zip("/etc/passwd", "x", "td.binlog", "b"), "unsafe entry name '/etc/passwd'");
        assertRefused(zip("notes.txt", "hello"), "no td.binlog");
        assertRefused(zip("deep/inside/td.binlog", "b"), "no td.binlog at its root or in db/");
        assertRefused("just some text".getBytes(StandardCharsets.UTF_8), "neither a zip");
        assertRefused(zipBomb(), "unpacks to more than 8388608 bytes");
        assertThat(store.has("639000000777")).isFalse();
        assertThat(api.put("/api/v1/group-ai/accounts/nobody/session", zip("td.binlog", "b"), "application/zip")
                        .status())
                .isEqualTo(404);
    }

    @Test
    void recognisesPyrogramAndTelethonSessionsAndExplainsTheyMustLogInAgain() throws Exception {
        Path pyrogram = RealForeignSessions.pyrogram(dir.resolve("pyrogram.session"), 5, 639277356155L);
        Api.Response refused = api.put(PATH, Files.readAllBytes(pyrogram), "application/octet-stream");
        assertThat(refused.status()).isEqualTo(422);
        JsonNode problem = refused.json();
        assertThat(problem.get("session_format").asString()).isEqualTo("Pyrogram");
        assertThat(problem.get("dc_id").asInt()).isEqualTo(5);
        assertThat(problem.get("user_id").asLong()).isEqualTo(639277356155L);
        assertThat(problem.get("detail").asString()).contains("TDLib cannot import", "log the account in again");

        Path telethon = RealForeignSessions.telethon(dir.resolve("telethon.session"), 2);
        Api.Response telethonRefused = api.put(PATH, Files.readAllBytes(telethon), "application/octet-stream");
        assertThat(telethonRefused.status()).isEqualTo(422);
        assertThat(telethonRefused.json().get("session_format").asString()).isEqualTo("Telethon");
        assertThat(telethonRefused.json().get("dc_id").asInt()).isEqualTo(2);
        assertThat(store.has("639000000777")).isFalse();
    }

    private void assertRefused(byte[] body, String detail) {
        Api.Response response = api.put(PATH, body, "application/zip");
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().get("detail").asString()).contains(detail);
    }

    /** name, content pairs; a null content makes a directory entry. */
    private static byte[] zip(String... namesAndContents) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                zip.putNextEntry(new ZipEntry(namesAndContents[i]));
                if (i + 1 < namesAndContents.length && namesAndContents[i + 1] != null) {
                    zip.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
                }
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] zipBomb() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("td.binlog"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 9; i++) {
                zip.write(zeros);
            }
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
