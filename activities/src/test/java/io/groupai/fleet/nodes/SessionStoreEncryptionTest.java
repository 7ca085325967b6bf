package io.groupai.fleet.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupai.fleet.allocation.SessionTransferActivitiesImpl;
import io.groupai.fleet.nodes.sim.EmbeddedSshNode;
import io.groupai.fleet.nodes.ssh.InMemoryHostKeyStore;
import io.groupai.fleet.nodes.ssh.RemoteShell;
import io.groupai.fleet.nodes.ssh.SessionTransfer;
import io.groupai.fleet.nodes.ssh.SshCredentials;
import io.groupai.fleet.nodes.ssh.SshSessionPool;
import io.groupai.fleet.nodes.ssh.SshSettings;
import io.groupai.fleet.nodes.ssh.SshTarget;
import io.groupai.fleet.registry.SecretCipher;
import io.groupai.fleet.registry.SecretsProperties;
import io.groupai.fleet.sessionformat.Sha256;
import io.groupai.fleet.sessions.SessionBackupActivitiesImpl;
import io.groupai.fleet.sessions.SessionIntegrityException;
import io.groupai.fleet.sessions.SessionStore;
import io.groupai.fleet.sessions.SessionStoreProperties;
import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.allocation.SessionTransferActivities;
import io.groupai.fleet.workflows.allocation.SessionTransferOptions;
import io.groupai.fleet.workflows.allocation.UploadedSession;
import io.groupai.fleet.workflows.backup.BackupInfo;
import io.groupai.fleet.workflows.backup.SessionBackupActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Session archives at rest: encrypted (no plaintext on disk), verified on every read and transfer (a tampered
 * file or a checksum mismatch fails the step, naming account and step), round trips, plaintext archives of an
 * older version still read and encrypted at start, backups kept to the last N. Transfers run against an
 * embedded SSH node through Temporal's activity environment.
 */
class SessionStoreEncryptionTest {

    private static final String PASSWORD = "store-test-password";
    private static final String MARKER = "GROUPAI-PLAINTEXT-MARKER-7f3a";

    @TempDir
    Path base;

    EmbeddedSshNode node;
    SshSessionPool pool;
    TestActivityEnvironment env;
    SessionStore store;
    SecretCipher secrets;
    SessionTransferActivities transfers;
    SessionBackupActivities backups;

    @BeforeEach
    void setUp() {
        node = new EmbeddedSshNode("enc-node", base.resolve("enc-node"), 0, "fleet", PASSWORD, List.of()).start();
        pool = new SshSessionPool(
                new SshSettings(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), 2),
                new InMemoryHostKeyStore(),
                nodeId -> SshCredentials.Password.of(PASSWORD));
        RemoteShell shell = new RemoteShell(pool);
        secrets = cipher(1);
        store = new SessionStore(properties(), secrets);
        NodeTargets targets = new NodeTargets(null) {
            @Override
            public SshTarget of(String nodeId) {
                return node.target();
            }
        };
        SessionTransferActivitiesImpl transferImpl =
                new SessionTransferActivitiesImpl(store, new SessionTransfer(shell), shell, targets);
        env = TestActivityEnvironment.newInstance();
        env.registerActivitiesImplementations(transferImpl, new SessionBackupActivitiesImpl(store, transferImpl, null));
        ActivityOptions options = ActivityOptions.newBuilder()
                .setStartToCloseTimeout(SessionTransferOptions.START_TO_CLOSE)
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build();
        transfers = env.newActivityStub(SessionTransferActivities.class, options);
        backups = env.newActivityStub(SessionBackupActivities.class, options);
    }

    @AfterEach
    void tearDown() {
        env.close();
        pool.close();
        node.close();
    }

    private SessionStoreProperties properties() {
        return new SessionStoreProperties(base.resolve("store"), 1 << 30, 1 << 30);
    }

    private static SecretCipher cipher(int seed) {
        byte[] key = new byte[32];
        new Random(seed).nextBytes(key);
        return new SecretCipher(new SecretsProperties(Base64.getEncoder().encodeToString(key), null));
    }

    /** A zipped "TDLib directory" holding the marker in a stored (uncompressed) entry, plus random bytes. */
    private static byte[] archive(int randomBytes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.setLevel(0);
            zip.putNextEntry(new ZipEntry("td.binlog"));
            zip.write((MARKER + " auth key material\n").repeat(20).getBytes(StandardCharsets.UTF_8));
            byte[] random = new byte[randomBytes];
            new Random(7).nextBytes(random);
            zip.write(random);
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    private SessionStore.ArchiveInfo store(String accountId, byte[] plaintext) throws IOException {
        return store.store(accountId, Files.write(store.newTempFile(), plaintext));
    }

    private static boolean contains(byte[] haystack, String needle) {
        return new String(haystack, StandardCharsets.ISO_8859_1).contains(needle);
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0x01);
        }
    }

    @Test
    void theStoredBytesHoldNoPlaintextAndTheArchiveRoundTrips() throws Exception {
        byte[] plain = archive(300_000);
        assertThat(contains(plain, MARKER)).isTrue();

        SessionStore.ArchiveInfo info = store("acc-enc", plain);

        byte[] onDisk = Files.readAllBytes(store.currentFile("acc-enc"));
        assertThat(contains(onDisk, MARKER)).as("no plaintext at rest").isFalse();
        assertThat(contains(onDisk, "td.binlog")).as("not even the entry names").isFalse();
        assertThat(info.encrypted()).isTrue();
        assertThat(info.sha256()).isEqualTo(Sha256.hex(plain));
        assertThat(info.sizeBytes()).isEqualTo(plain.length);
        assertThat(store.readAllBytes("acc-enc")).isEqualTo(plain);
        assertThat(store.info("acc-enc")).contains(info);
        try (var files = Files.list(base.resolve("store"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("the plaintext temporary file is gone")
                    .containsExactly("acc-enc");
        }
    }

    @Test
    void anUploadSendsThePlaintextWhichTheNodeChecksAgainstTheRecordedChecksum() throws Exception {
        byte[] plain = archive(200_000);
        SessionStore.ArchiveInfo info = store("acc-up", plain);

        UploadedSession up = transfers.upload("acc-up", "enc-node");

        Path remote = node.deployDir().resolve("sessions/acc-up/session.zip");
        assertThat(Files.readAllBytes(remote)).isEqualTo(plain);
        assertThat(up.sha256()).isEqualTo(info.sha256());
        assertThat(up.sizeBytes()).isEqualTo(plain.length);
    }

    @Test
    void aTamperedArchiveFailsItsUploadNamingAccountAndStepAndLeavesNothingOnTheNode() throws Exception {
        store("acc-t", archive(100_000));
        flipByte(store.currentFile("acc-t"), Files.size(store.currentFile("acc-t")) - 5_000);

        assertThatThrownBy(() -> store.readAllBytes("acc-t"))
                .isInstanceOf(SessionIntegrityException.class)
                .hasMessageContaining("account acc-t")
                .hasMessageContaining("step read")
                .hasMessageContaining("integrity check");

        assertThatThrownBy(() -> transfers.upload("acc-t", "enc-node"))
                .isInstanceOf(ActivityFailure.class)
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
                    assertThat(f.getType()).isEqualTo(FailureTypes.STORED_SESSION_CORRUPT);
                    assertThat(f.getOriginalMessage())
                            .contains("account acc-t", "step upload to enc-node", "integrity check");
                    assertThat(f.isNonRetryable()).isTrue();
                });
        Path remoteDir = node.deployDir().resolve("sessions/acc-t");
        if (Files.isDirectory(remoteDir)) {
            try (var files = Files.list(remoteDir)) {
                assertThat(files.toList())
                        .as("no session installed, no temporary file left")
                        .isEmpty();
            }
        }
    }

    @Test
    void aChangedHeaderOrAnotherKeyFailsTheIntegrityCheck() throws Exception {
        byte[] plain = archive(10_000);
        store("acc-h", plain);
        // the recorded checksum is authenticated: changing it in the clear header breaks decryption
        Path file = store.currentFile("acc-h");
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("sha256=") + "sha256=".length();
        bytes[at] = (byte) (bytes[at] == 'a' ? 'b' : 'a');
        Files.write(file, bytes);
        assertThatThrownBy(() -> store.readAllBytes("acc-h")).isInstanceOf(SessionIntegrityException.class);

        store("acc-k", plain);
        SessionStore otherKey = new SessionStore(properties(), cipher(2));
        assertThatThrownBy(() -> otherKey.readAllBytes("acc-k"))
                .isInstanceOf(SessionIntegrityException.class)
                .hasMessageContaining("account acc-k")
                .hasMessageContaining("groupai.secrets.key");

        // a file moved to another account does not decrypt there either
        Files.createDirectories(store.accountDir("acc-m"));
        Files.copy(store.currentFile("acc-k"), store.currentFile("acc-m"));
        assertThatThrownBy(() -> store.readAllBytes("acc-m")).isInstanceOf(SessionIntegrityException.class);
    }

    @Test
    void aPlaintextArchiveOfAnOlderVersionIsStillReadAndEncryptedAtStart() throws Exception {
        byte[] plain = archive(50_000);
        Path legacy = Files.createDirectories(base.resolve("store/acc-old")).resolve("session.zip");
        Files.write(legacy, plain);
        FileTime modified = FileTime.from(Instant.parse("2026-11-01T10:00:00Z"));
        Files.setLastModifiedTime(legacy, modified);

        assertThat(store.info("acc-old")).hasValueSatisfying(i -> {
            assertThat(i.encrypted()).isFalse();
            assertThat(i.sha256()).isEqualTo(Sha256.hex(plain));
        });
        assertThat(store.readAllBytes("acc-old")).isEqualTo(plain);

        // what the application context does at start
        new SessionStore(properties(), secrets).afterPropertiesSet();

        assertThat(contains(Files.readAllBytes(legacy), MARKER)).isFalse();
        assertThat(store.info("acc-old")).hasValueSatisfying(i -> {
            assertThat(i.encrypted()).isTrue();
            assertThat(i.sha256()).isEqualTo(Sha256.hex(plain));
            assertThat(i.storedAt()).as("stored time kept").isEqualTo(modified.toInstant());
        });
        assertThat(store.readAllBytes("acc-old")).isEqualTo(plain);
        assertThat(store.encryptPlaintextArchives()).as("nothing left to do").isZero();
    }

    @Test
    void aFetchWhoseBytesDifferFromTheExportsChecksumFailsTheStepAndStoresNothing() throws Exception {
        byte[] before = archive(5_000);
        store("acc-f", before);
        byte[] exported = archive(9_000);
        Path export = Files.write(
                Files.createDirectories(node.deployDir().resolve("exports")).resolve("acc-f.zip"), exported);

        assertThatThrownBy(() -> transfers.fetchExported("acc-f", "enc-node", export.toString(), "0".repeat(64)))
                .isInstanceOf(ActivityFailure.class)
                .cause()
                .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
                    assertThat(f.getType()).isEqualTo(FailureTypes.SESSION_CHECKSUM_MISMATCH);
                    assertThat(f.getOriginalMessage())
                            .contains("account acc-f on server enc-node, step fetch session", "differs");
                });
        assertThat(store.readAllBytes("acc-f"))
                .as("the stored session is untouched")
                .isEqualTo(before);

        UploadedSession ok = transfers.fetchExported("acc-f", "enc-node", export.toString(), Sha256.hex(exported));
        assertThat(ok.sha256()).isEqualTo(Sha256.hex(exported));
        assertThat(store.readAllBytes("acc-f")).isEqualTo(exported);
        assertThat(contains(Files.readAllBytes(store.currentFile("acc-f")), MARKER))
                .isFalse();

        assertThatThrownBy(() -> backups.fetchBackup("acc-f", "enc-node", export.toString(), "1".repeat(64)))
                .isInstanceOf(ActivityFailure.class)
                .cause()
                .isInstanceOfSatisfying(
                        ApplicationFailure.class,
                        f -> assertThat(f.getOriginalMessage()).contains("step fetch backup", "differs"));
        assertThat(store.backups("acc-f")).isEmpty();
    }

    @Test
    void backupsAreEncryptedKeptToTheLastNRestoredAndUsedWhenNewer() throws Exception {
        Instant[] now = {Instant.parse("2026-12-01T03:00:00Z")};
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        SessionStore timed = new SessionStore(properties(), secrets, clock);
        timed.store("acc-b", Files.write(timed.newTempFile(), archive(1_000)));
        byte[][] versions = new byte[4][];
        for (int i = 0; i < 4; i++) {
            now[0] = now[0].plus(Duration.ofHours(1));
            versions[i] = archive(2_000 + i);
            timed.storeBackup("acc-b", Files.write(timed.newTempFile(), versions[i]), "backup from enc-node");
        }
        List<SessionStore.ArchiveInfo> all = timed.backups("acc-b");
        assertThat(all).hasSize(4);
        assertThat(all).extracting(SessionStore.ArchiveInfo::sha256).first().isEqualTo(Sha256.hex(versions[3]));
        for (var b : all) {
            byte[] onDisk = Files.readAllBytes(
                    timed.accountDir("acc-b").resolve("backups").resolve(b.backupId() + ".zip"));
            assertThat(contains(onDisk, MARKER)).isFalse();
        }

        List<String> pruned = timed.pruneBackups("acc-b", 3);
        assertThat(pruned).containsExactly(all.get(3).backupId());
        assertThat(timed.backups("acc-b"))
                .extracting(SessionStore.ArchiveInfo::backupId)
                .containsExactly(
                        all.get(0).backupId(), all.get(1).backupId(), all.get(2).backupId());

        // the newest backup is newer than the stored session: a migration without a source uses it
        SessionBackupActivitiesImpl activities = new SessionBackupActivitiesImpl(timed, null, null);
        BackupInfo used = activities.useNewest("acc-b");
        assertThat(used.backupId()).isEqualTo(all.get(0).backupId());
        assertThat(timed.readAllBytes("acc-b")).isEqualTo(versions[3]);
        // now the stored session is as new as every backup: it is used as it is
        assertThat(activities.useNewest("acc-b").backupId()).isNull();

        // an explicit restore of an older one; a damaged backup never replaces the stored session
        activities.restore("acc-b", all.get(2).backupId());
        assertThat(timed.readAllBytes("acc-b")).isEqualTo(versions[1]);
        Path damaged =
                timed.accountDir("acc-b").resolve("backups").resolve(all.get(1).backupId() + ".zip");
        flipByte(damaged, Files.size(damaged) - 100);
        assertThatThrownBy(() -> activities.restore("acc-b", all.get(1).backupId()))
                .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
                    assertThat(f.getType()).isEqualTo(FailureTypes.STORED_SESSION_CORRUPT);
                    assertThat(f.getOriginalMessage()).contains("account acc-b", "step restore");
                });
        assertThat(timed.readAllBytes("acc-b")).isEqualTo(versions[1]);
        assertThatThrownBy(() -> activities.restore("acc-b", "../../etc"))
                .isInstanceOfSatisfying(
                        ApplicationFailure.class,
                        f -> assertThat(f.getType()).isEqualTo(FailureTypes.BACKUP_NOT_FOUND));
    }
}
