package io.groupai.fleet.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupai.fleet.sessionformat.Sha256;
import io.groupai.fleet.sessionformat.testing.RealForeignSessions;
import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.agent.AccountRuntimeState;
import io.groupai.fleet.workflows.agent.ExportedSession;
import io.groupai.fleet.workflows.agent.InstallScriptRequest;
import io.groupai.fleet.workflows.agent.NodeAgentActivities;
import io.groupai.fleet.workflows.agent.NodePing;
import io.groupai.fleet.workflows.agent.ScriptInstallResult;
import io.groupai.fleet.workflows.agent.SendMessageRequest;
import io.groupai.fleet.workflows.agent.SessionInfo;
import io.groupai.fleet.workflows.agent.StartAccountRequest;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node activities through Temporal's activity test environment, against an in-test control plane. */
class NodeAgentActivitiesTest {

    @TempDir
    Path deployDir;

    FakeControlPlane controlPlane;
    NodeServices services;
    TestActivityEnvironment env;
    NodeAgentActivities node;

    @BeforeEach
    void setUp() throws Exception {
        controlPlane = new FakeControlPlane();
        services = new NodeServices(NodeConfig.from(config(controlPlane, deployDir, "64KB")), Clock.systemUTC());
        env = TestActivityEnvironment.newInstance();
        env.registerActivitiesImplementations(services.activities());
        node = env.newActivityStub(
                NodeAgentActivities.class,
                ActivityOptions.newBuilder()
                        .setStartToCloseTimeout(Duration.ofSeconds(30))
                        .setRetryOptions(
                                RetryOptions.newBuilder().setMaximumAttempts(1).build())
                        .build());
    }

    static Map<String, String> config(FakeControlPlane cp, Path deployDir, String maxUnpacked) {
        Map<String, String> m = new HashMap<>();
        m.put("NODE_ID", "test-node");
        m.put("NODE_TOKEN", FakeControlPlane.TOKEN);
        m.put("DEPLOY_DIR", deployDir.toString());
        m.put("CONTROL_PLANE_URL", cp.url().toString());
        m.put("HEARTBEAT_INTERVAL", "1s");
        m.put("SIM_POLL_TIMEOUT", "1s");
        m.put("SESSION_MAX_UNPACKED", maxUnpacked);
        return m;
    }

    @AfterEach
    void tearDown() {
        env.close();
        services.close();
        controlPlane.close();
    }

    private Path upload(String accountId, byte[] content) throws Exception {
        Path dir = deployDir.resolve("sessions").resolve(accountId);
        Files.createDirectories(dir);
        return Files.write(dir.resolve("session.zip"), content);
    }

    @Test
    void pingNamesNodeRuntimeAndPid() {
        NodePing ping = node.ping();
        assertThat(ping.nodeId()).isEqualTo("test-node");
        assertThat(ping.telegramRuntime()).isEqualTo("simulated");
        assertThat(ping.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(ping.accountsRunning()).isZero();
    }

    @Test
    void installThenExportRoundTripsByteEqualContent() throws Exception {
        Map<String, byte[]> files = TestFiles.tdlibFiles();
        upload("acc1", TestFiles.zip(files));

        SessionInfo info = node.installSession("acc1");
        assertThat(info.format()).isEqualTo("tdlib");
        assertThat(info.sha256()).hasSize(64);
        Path td = deployDir.resolve("sessions/acc1/td");
        Map<String, byte[]> expected = new LinkedHashMap<>(files);
        expected.remove("files/");
        assertThat(TestFiles.tree(td)).containsOnlyKeys(expected.keySet());
        Map<String, byte[]> installedTree = TestFiles.tree(td);
        expected.forEach((name, bytes) -> assertThat(installedTree.get(name)).isEqualTo(bytes));
        assertThat(deployDir.resolve("sessions/acc1/session.zip")).doesNotExist();

        // Idempotent: nothing pending, the installed session is described again.
        SessionInfo again = node.installSession("acc1");
        assertThat(again.sha256()).isEqualTo(info.sha256());
        assertThat(again.sizeBytes()).isEqualTo(info.sizeBytes());

        ExportedSession export = node.exportSession("acc1");
        Path zip = Path.of(export.remotePath());
        assertThat(zip.getParent()).isEqualTo(deployDir.resolve("exports"));
        assertThat(zip.getFileName().toString()).startsWith("acc1-").endsWith(".zip");
        assertThat(export.sizeBytes()).isEqualTo(Files.size(zip));
        assertThat(export.sha256()).isEqualTo(Sha256.hex(zip));
        Map<String, byte[]> exported = TestFiles.unzip(zip);
        assertThat(exported).containsOnlyKeys(expected.keySet());
        expected.forEach((name, bytes) -> assertThat(exported.get(name)).isEqualTo(bytes));
        try (Stream<Path> s = Files.list(deployDir.resolve("exports"))) {
            assertThat(s.toList()).containsExactly(zip); // no temp file left
        }

        // The exported archive installs again elsewhere (migration) with the same content.
        upload("acc2", Files.readAllBytes(zip));
        node.installSession("acc2");
        assertThat(TestFiles.tree(deployDir.resolve("sessions/acc2/td")).keySet())
                .isEqualTo(expected.keySet());
    }

    private void assertRejected(String accountId, String type, String... messageParts) throws Exception {
        Path dir = deployDir.resolve("sessions").resolve(accountId);
        byte[] uploaded = Files.readAllBytes(dir.resolve("session.zip"));
        assertThatThrownBy(() -> node.installSession(accountId))
                .isInstanceOf(ActivityFailure.class)
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
                    assertThat(f.isNonRetryable()).isTrue();
                    assertThat(f.getType()).isEqualTo(type);
                    assertThat(f.getOriginalMessage())
                            .contains("node test-node", "account " + accountId, "install-session");
                    assertThat(f.getOriginalMessage()).contains(messageParts);
                });
        // Nothing written: only the upload itself, unchanged.
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.toList()).containsExactly(dir.resolve("session.zip"));
        }
        assertThat(Files.readAllBytes(dir.resolve("session.zip"))).isEqualTo(uploaded);
    }

    @Test
    void rejectsZipSlipWithDotDot() throws Exception {
        Map<String, byte[]> files = TestFiles.tdlibFiles();
        files.put("db/../../evil.sh", "boom".getBytes());
        upload("slip", TestFiles.zip(files));
        assertRejected("slip", FailureTypes.UNSAFE_SESSION_ARCHIVE, "contains '..'", "zip-slip");
        assertThat(deployDir.resolve("sessions/evil.sh")).doesNotExist();
    }

    @Test
    void rejectsAbsolutePaths() throws Exception {
        Map<String, byte[]> files = TestFiles.tdlibFiles();
        files.put("/tmp/evil.sh", "boom".getBytes());
        upload("abs", TestFiles.zip(files));
        assertRejected("abs", FailureTypes.UNSAFE_SESSION_ARCHIVE, "absolute path");
    }

    @Test
    void rejectsSymbolicLinks() throws Exception {
        Map<String, byte[]> files = TestFiles.tdlibFiles();
        files.put("link", "/etc/passwd".getBytes());
        upload("link", TestFiles.markSymlink(TestFiles.zip(files), "link"));
        assertRejected("link", FailureTypes.UNSAFE_SESSION_ARCHIVE, "symbolic link");
    }

    @Test
    void rejectsArchivesOverTheSizeLimit() throws Exception {
        Map<String, byte[]> files = TestFiles.tdlibFiles();
        files.put("db.sqlite", new byte[100 * 1024]); // limit is 64KB, compresses to almost nothing
        upload("big", TestFiles.zip(files));
        assertRejected("big", FailureTypes.SESSION_ARCHIVE_TOO_LARGE, "65536 bytes");
    }

    @Test
    void rejectsArchivesThatAreNotTdlibDatabases() throws Exception {
        upload("nottd", TestFiles.zip(Map.of("readme.txt", "hello".getBytes(), "data/x.bin", new byte[10])));
        assertRejected("nottd", FailureTypes.NOT_TDLIB_SESSION, "not a TDLib database directory", "td.binlog");
        upload("notzip", "just some text, not a zip".getBytes());
        assertRejected("notzip", FailureTypes.INVALID_SESSION_ARCHIVE, "not a valid zip");
    }

    @Test
    void recognisesPyrogramSessionAndRefusesIt() throws Exception {
        Path sqlite = RealForeignSessions.pyrogram(deployDir.resolve("pyro.session"), 2, 777000123L);
        upload("pyro", Files.readAllBytes(sqlite));
        assertRejected(
                "pyro",
                FailureTypes.FOREIGN_SESSION_FORMAT,
                "Pyrogram",
                "dc 2",
                "user id 777000123",
                "TDLib cannot import Pyrogram/Telethon auth keys",
                "admin page");

        // The same file inside a zip is recognised too.
        upload("pyrozip", TestFiles.zip(Map.of("my_account.session", Files.readAllBytes(sqlite))));
        assertRejected("pyrozip", FailureTypes.FOREIGN_SESSION_FORMAT, "Pyrogram", "dc 2", "user id 777000123");
    }

    @Test
    void recognisesTelethonSessionAndRefusesIt() throws Exception {
        Path sqlite = RealForeignSessions.telethon(deployDir.resolve("tele.session"), 4);
        upload("tele", Files.readAllBytes(sqlite));
        assertRejected(
                "tele",
                FailureTypes.FOREIGN_SESSION_FORMAT,
                "Telethon",
                "dc 4",
                "user id unknown",
                "log the account in again");
    }

    @Test
    void startAndStopAreIdempotent() throws Exception {
        upload("acc1", TestFiles.zip(TestFiles.tdlibFiles()));
        AccountRuntimeState first = node.startAccount(new StartAccountRequest("acc1", null));
        assertThat(first.status()).isEqualTo("online");
        assertThat(deployDir.resolve("sessions/acc1/td/td.binlog")).exists(); // installed on start
        AccountRuntimeState second = node.startAccount(new StartAccountRequest("acc1", null));
        assertThat(second.status()).isEqualTo("online");
        assertThat(controlPlane.connects).containsExactly("acc1@test-node");
        assertThat(node.ping().accountsRunning()).isEqualTo(1);
        assertThat(node.listAccounts())
                .extracting(AccountRuntimeState::accountId, AccountRuntimeState::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("acc1", "online"));

        assertThat(node.stopAccount("acc1").status()).isEqualTo("stopped");
        assertThat(node.stopAccount("acc1").status()).isEqualTo("stopped");
        assertThat(controlPlane.disconnects).containsExactly("acc1");
        assertThat(node.stopAccount("never-seen").status()).isEqualTo("stopped");
        assertThat(node.ping().accountsRunning()).isZero();
    }

    @Test
    void aStartFetchesTheAccountsDatabaseKeyAndARefusedKeyStartsNothing() throws Exception {
        upload("acc1", TestFiles.zip(TestFiles.tdlibFiles()));
        upload("acc9", TestFiles.zip(TestFiles.tdlibFiles()));
        controlPlane.refusedDatabaseKeys.add("acc9"); // as for an account the database gives another node

        assertThat(node.startAccount(new StartAccountRequest("acc1", null)).status())
                .isEqualTo("online");
        assertThat(controlPlane.databaseKeyFetches).containsExactly("acc1");

        assertThatThrownBy(() -> node.startAccount(new StartAccountRequest("acc9", null)))
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
                    assertThat(f.isNonRetryable()).isTrue();
                    assertThat(f.getType()).isEqualTo(FailureTypes.DATABASE_KEY_REFUSED);
                    assertThat(f.getOriginalMessage()).contains("account acc9", "start-account", "HTTP 403");
                });
        assertThat(controlPlane.connects).containsExactly("acc1@test-node");
        assertThat(deployDir.resolve("sessions/acc9/td"))
                .as("a refused key opens nothing")
                .doesNotExist();
        assertThat(node.listAccounts())
                .filteredOn(a -> a.status().equals("online"))
                .extracting(AccountRuntimeState::accountId)
                .containsExactly("acc1");
        assertThat(node.ping().accountsRunning()).isEqualTo(1);
    }

    @Test
    void aMigratedAccountsExportAndStaleSessionAreDeletedOnlyInsideTheDeployDir() throws Exception {
        upload("acc1", TestFiles.zip(TestFiles.tdlibFiles()));
        upload("acc10", TestFiles.zip(TestFiles.tdlibFiles()));
        node.installSession("acc1");
        node.installSession("acc10");
        Path export = Path.of(node.exportSession("acc1").remotePath());
        Path otherAccountsExport = Path.of(node.exportSession("acc10").remotePath());
        Path outside = Files.writeString(deployDir.resolve("conf-secret.zip"), "keep");
        Path elsewhere = Files.writeString(
                Files.createTempFile(deployDir.getParent(), "acc1-20260101T000000000Z", ".zip"), "keep");

        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("another account's export", otherAccountsExport.toString());
        refused.put("a file outside exports/", outside.toString());
        refused.put(
                "dot-dot out of exports/",
                deployDir.resolve("exports/../conf-secret.zip").toString());
        refused.put("relative dot-dot", "../conf-secret.zip");
        refused.put("outside the deploy dir", elsewhere.toString());
        refused.put("the exports directory itself", deployDir.resolve("exports").toString());
        refused.put(
                "a session file",
                deployDir.resolve("sessions/acc1/td/td.binlog").toString());
        refused.put("not an export name", deployDir.resolve("exports/acc1.zip").toString());
        refused.put("empty", "");
        for (Map.Entry<String, String> c : refused.entrySet()) {
            assertThatThrownBy(() -> node.discardMigratedSession("acc1", c.getValue()))
                    .as(c.getKey())
                    .cause()
                    .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
                        assertThat(f.isNonRetryable()).isTrue();
                        assertThat(f.getType()).isEqualTo(FailureTypes.INVALID_ARGUMENT);
                        assertThat(f.getOriginalMessage()).contains("account acc1", "discard-migrated-session");
                    });
        }
        // Nothing was deleted by any refused call.
        assertThat(export).exists();
        assertThat(otherAccountsExport).exists();
        assertThat(outside).exists();
        assertThat(elsewhere).exists();
        assertThat(deployDir.resolve("sessions/acc1/td/td.binlog")).exists();

        // Running here: refused (it would be the account twice).
        node.startAccount(new StartAccountRequest("acc1", null));
        assertThatThrownBy(() -> node.discardMigratedSession("acc1", export.toString()))
                .cause()
                .hasMessageContaining("stop it first");
        assertThat(export).exists();
        node.stopAccount("acc1");

        node.discardMigratedSession("acc1", export.toString());
        assertThat(export).doesNotExist();
        assertThat(deployDir.resolve("sessions/acc1")).doesNotExist();
        assertThat(otherAccountsExport).exists();
        assertThat(deployDir.resolve("sessions/acc10/td")).exists();
        node.discardMigratedSession("acc1", export.toString()); // idempotent
        assertThat(node.listAccounts())
                .extracting(AccountRuntimeState::accountId)
                .doesNotContain("acc1");
    }

    @Test
    void sessionOperationsRefuseRunningAccountsAndBadIds() throws Exception {
        upload("acc1", TestFiles.zip(TestFiles.tdlibFiles()));
        node.startAccount(new StartAccountRequest("acc1", null));
        assertThatThrownBy(() -> node.removeSession("acc1"))
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
                    assertThat(f.isNonRetryable()).isTrue();
                    assertThat(f.getOriginalMessage()).contains("account acc1", "remove-session", "stop it first");
                });
        assertThatThrownBy(() -> node.exportSession("acc1")).cause().hasMessageContaining("stop it first");
        assertThatThrownBy(() -> node.sendMessage(new SendMessageRequest("ghost", -100L, "hi")))
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
                    assertThat(f.isNonRetryable()).isTrue();
                    assertThat(f.getOriginalMessage()).contains("account ghost", "not running");
                });
        assertThatThrownBy(() -> node.installSession("../etc"))
                .cause()
                .isInstanceOfSatisfying(
                        ApplicationFailure.class,
                        f -> assertThat(f.isNonRetryable()).isTrue());

        node.stopAccount("acc1");
        node.removeSession("acc1");
        node.removeSession("acc1");
        assertThat(deployDir.resolve("sessions/acc1")).doesNotExist();
        assertThat(node.listAccounts()).isEmpty();
    }

    @Test
    void newMemberGetsTheWelcomeFromTheActiveScriptAndScriptsReload() throws Exception {
        byte[] yaml = welcomeScript();
        controlPlane.files.put("welcome-1.0.yaml", yaml);
        String sha = HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(yaml));
        ScriptInstallResult installed =
                node.installScript(new InstallScriptRequest("welcome", "1.0", "/files/welcome-1.0.yaml", sha));
        assertThat(installed.reloadedAccounts()).isEmpty();
        assertThat(deployDir.resolve("scripts/welcome/1.0.yaml")).hasBinaryContent(yaml);

        node.startAccount(new StartAccountRequest("acc1", "welcome"));
        controlPlane.pushUpdate("acc1", "new_member", -100123L, "Test Group", 42L, "Ana", null);
        awaitMessages(1);
        // The script's two greetings are picked at random (equal weights).
        assertThat(controlPlane.sentMessages.get(0).get("text").asText())
                .isIn("欢迎 Ana 加入 Test Group！有问题随时问 😊", "Welcome, Ana! Glad to have you in Test Group.");
        assertThat(controlPlane.sentMessages.get(0).get("chat_id").asLong()).isEqualTo(-100123L);

        controlPlane.pushUpdate("acc1", "new_message", -100123L, "Test Group", 43L, "Bob", "Hello everyone");
        awaitMessages(2);
        assertThat(controlPlane.sentMessages.get(1).get("text").asText())
                .isIn("欢迎 Bob 加入 Test Group！有问题随时问 😊", "Welcome, Bob! Glad to have you in Test Group.");

        // The control plane sees a reply before the node has counted it: wait for the count.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (services.accounts().snapshots().get(0).replyCount() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        var snapshot = services.accounts().snapshots().get(0);
        assertThat(snapshot.messageCount()).isEqualTo(1);
        assertThat(snapshot.replyCount()).isEqualTo(2);
        assertThat(snapshot.groupIds()).containsExactly(-100123L);
        assertThat(snapshot.lastActivity()).isNotNull();

        // A new version replaces the templates; the running account reloads it.
        byte[] v2 = """
                script_id: welcome
                version: "2.0"
                scenes:
                  - id: greeting
                    triggers: [{type: new_member}]
                    responses: [{template: "Hi {{first_name}}, v2 here"}]
                """.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        controlPlane.files.put("welcome-2.0.yaml", v2);
        ScriptInstallResult reloaded = node.installScript(
                new InstallScriptRequest("welcome", "2.0", controlPlane.url() + "/files/welcome-2.0.yaml", sha256(v2)));
        assertThat(reloaded.reloadedAccounts()).containsExactly("acc1");
        controlPlane.pushUpdate("acc1", "new_member", -100123L, "Test Group", 44L, "Chen", null);
        awaitMessages(3);
        assertThat(controlPlane.sentMessages.get(2).get("text").asText()).isEqualTo("Hi Chen, v2 here");

        assertThat(node.sendMessage(new SendMessageRequest("acc1", -100123L, "manual"))
                        .messageId())
                .isPositive();
        assertThat(controlPlane.unauthorized).isEmpty();
    }

    @Test
    void floodWaitIsRetryableWithTheDelayTelegramAskedFor() throws Exception {
        upload("acc1", TestFiles.zip(TestFiles.tdlibFiles()));
        node.startAccount(new StartAccountRequest("acc1", null));
        controlPlane.simFloodWait = true;
        assertThatThrownBy(() -> node.sendMessage(new SendMessageRequest("acc1", -100L, "hi")))
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
                    assertThat(f.isNonRetryable()).isFalse();
                    assertThat(f.getType()).isEqualTo(FailureTypes.TELEGRAM_FLOOD_WAIT);
                    assertThat(f.getNextRetryDelay()).isEqualTo(Duration.ofSeconds(5));
                    assertThat(f.getOriginalMessage()).contains("account acc1", "send-message", "429");
                });
    }

    @Test
    void aScriptedReplyThatHitsFloodWaitIsSentOnceWhenTheWaitIsOver() throws Exception {
        controlPlane.files.put("welcome-1.0.yaml", welcomeScript());
        node.installScript(
                new InstallScriptRequest("welcome", "1.0", "/files/welcome-1.0.yaml", sha256(welcomeScript())));
        node.startAccount(new StartAccountRequest("acc1", "welcome"));

        controlPlane.simFloodWait = true; // the simulated network asks for 5 s
        controlPlane.pushUpdate("acc1", "new_member", -100123L, "Test Group", 42L, "Ana", null);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (controlPlane.floodWaitAnswers.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(controlPlane.floodWaitAnswers).hasValue(1);
        controlPlane.simFloodWait = false;

        awaitMessages(1);
        assertThat(controlPlane.sentMessages)
                .singleElement()
                .satisfies(m -> assertThat(m.get("text").asText()).contains("Ana"));
        assertThat(controlPlane.floodWaitAnswers).as("retried once, not again").hasValue(1);
    }

    static String sha256(byte[] content) throws Exception {
        return HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
    }

    @Test
    void aScriptWithoutChecksumIsRefusedBeforeAnyDownload() throws Exception {
        controlPlane.files.put("welcome-1.0.yaml", welcomeScript());
        for (String missing : new String[] {null, "", "abc", "zz".repeat(32)}) {
            assertThatThrownBy(() -> node.installScript(
                            new InstallScriptRequest("welcome", "1.0", "/files/welcome-1.0.yaml", missing)))
                    .cause()
                    .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
                        assertThat(f.isNonRetryable()).isTrue();
                        assertThat(f.getOriginalMessage())
                                .contains("a sha256 (64 hex digits) of the script is required");
                    });
        }
        assertThat(deployDir.resolve("scripts/welcome/1.0.yaml")).doesNotExist();
    }

    @Test
    void aScriptFromAnotherHostIsRefusedBeforeAnyDownload() throws Exception {
        byte[] yaml = welcomeScript();
        String sha = sha256(yaml);
        try (FakeControlPlane elsewhere = new FakeControlPlane()) {
            elsewhere.files.put("welcome-1.0.yaml", yaml);
            // Same host, other port: another origin.
            for (String url : new String[] {
                elsewhere.url() + "/files/welcome-1.0.yaml",
                "https://scripts.example.com/welcome-1.0.yaml",
                "file:///etc/passwd"
            }) {
                assertThatThrownBy(() -> node.installScript(new InstallScriptRequest("welcome", "1.0", url, sha)))
                        .as(url)
                        .cause()
                        .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
                            assertThat(f.isNonRetryable()).isTrue();
                            assertThat(f.getOriginalMessage()).contains("must be on this node's control plane");
                        });
            }
            assertThat(elsewhere.heartbeats).isEmpty();
        }
        assertThat(deployDir.resolve("scripts/welcome/1.0.yaml")).doesNotExist();
    }

    @Test
    void scriptWithWrongChecksumIsRefusedAndNotActivated() {
        controlPlane.files.put("bad.yaml", "script_id: x\nscenes: []\n".getBytes());
        assertThatThrownBy(() ->
                        node.installScript(new InstallScriptRequest("x", "1", "/files/bad.yaml", "00".repeat(32))))
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
                    assertThat(f.isNonRetryable()).isTrue();
                    assertThat(f.getOriginalMessage()).contains("does not match");
                });
        assertThat(deployDir.resolve("scripts/x/1.yaml")).doesNotExist();
        assertThat(deployDir.resolve("scripts/x/active")).doesNotExist();
        node.removeScript("x");
        assertThat(deployDir.resolve("scripts/x")).doesNotExist();
    }

    /** A copy of shared/examples/welcome-script.yaml (the seeds' format). */
    private byte[] welcomeScript() throws IOException {
        try (var in = getClass().getResourceAsStream("/welcome-script.yaml")) {
            return in.readAllBytes();
        }
    }

    private void awaitMessages(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (controlPlane.sentMessages.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(controlPlane.sentMessages).hasSizeGreaterThanOrEqualTo(n);
    }
}
