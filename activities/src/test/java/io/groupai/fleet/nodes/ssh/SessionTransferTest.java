package io.groupai.fleet.nodes.ssh;

import static io.groupai.fleet.nodes.ssh.SshTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupai.fleet.nodes.sim.EmbeddedSshNode;
import io.groupai.fleet.nodes.sim.SftpFaultHook;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionTransferTest {

    @TempDir
    static Path base;

    @TempDir
    Path local;

    static EmbeddedSshNode node;
    static SshSessionPool pool;
    static SessionTransfer transfer;

    @BeforeAll
    static void start() {
        ClientKey key = newClientKey("control-plane");
        node = startNode(base, "transfer-node", key);
        // key login here (password login is covered by the other tests)
        pool = new SshSessionPool(
                FAST, new InMemoryHostKeyStore(), new Credentials().put("transfer-node", key.credentials()));
        transfer = new SessionTransfer(new RemoteShell(pool));
    }

    @AfterAll
    static void stop() {
        pool.close();
        node.close();
    }

    @Test
    void uploadVerifyDownloadRoundTripWithTightPermissions() throws IOException {
        Path file = randomFile(local.resolve("acc-1.tar.gz"), 1 + new Random().nextInt(4 * 1024 * 1024));
        RemoteFile up = transfer.upload(node.target(), "acc-1", file);

        Path remote = node.deployDir().resolve("sessions/acc-1/acc-1.tar.gz");
        assertThat(up.path()).isEqualTo(remote.toString());
        assertThat(up.size()).isEqualTo(Files.size(file));
        assertThat(Files.mismatch(file, remote)).isEqualTo(-1L);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(remote)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(remote.getParent())))
                .isEqualTo("rwx------");
        assertThat(leftovers(remote.getParent())).isEmpty();

        Path back = local.resolve("download/acc-1.tar.gz");
        RemoteFile down = transfer.download(node.target(), "acc-1", "acc-1.tar.gz", back);
        assertThat(down.sha256()).isEqualTo(up.sha256());
        assertThat(Files.mismatch(file, back)).isEqualTo(-1L);
        assertThat(leftovers(back.getParent())).isEmpty();
    }

    @Test
    void reUploadIsIdempotentAndNewContentReplacesAtomically() throws IOException {
        Path file = randomFile(local.resolve("acc-2.session"), 100_000);
        RemoteFile first = transfer.upload(node.target(), "acc-2", file);
        RemoteFile again = transfer.upload(node.target(), "acc-2", file);
        assertThat(again).isEqualTo(first);

        randomFile(file, 50_000);
        RemoteFile changed = transfer.upload(node.target(), "acc-2", file);
        assertThat(changed.sha256()).isNotEqualTo(first.sha256());
        assertThat(Files.mismatch(file, Path.of(changed.path()))).isEqualTo(-1L);
    }

    @Test
    void overlappingAttemptsOfTheSameUploadDoNotDestroyEachOther() throws Exception {
        // Attempt 1 stalls mid-stream (as when Temporal gave up on its heartbeats); attempt 2 runs meanwhile.
        Path file = randomFile(local.resolve("acc-5.tar.gz"), 2 * 1024 * 1024);
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        AtomicReference<Path> firstTemp = new AtomicReference<>();
        node.setSftpFaults(new SftpFaultHook() {
            @Override
            public void beforeWrite(Path f, long endOffset) {
                if (endOffset > 256 * 1024 && firstTemp.compareAndSet(null, f)) {
                    stalled.countDown();
                    try {
                        resume.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        });
        List<Long> progress = new CopyOnWriteArrayList<>();
        try {
            CompletableFuture<RemoteFile> first =
                    CompletableFuture.supplyAsync(() -> transfer.upload(node.target(), "acc-5", file, progress::add));
            assertThat(stalled.await(30, TimeUnit.SECONDS)).isTrue();

            RemoteFile second = transfer.upload(node.target(), "acc-5", file);
            assertThat(firstTemp.get())
                    .as("attempt 1's temporary file survives attempt 2")
                    .exists();
            resume.countDown();

            RemoteFile firstResult = first.get(30, TimeUnit.SECONDS);
            assertThat(firstResult).isEqualTo(second);
        } finally {
            resume.countDown();
            node.setSftpFaults(SftpFaultHook.NONE);
        }
        Path remote = node.deployDir().resolve("sessions/acc-5/acc-5.tar.gz");
        assertThat(Files.mismatch(file, remote)).isEqualTo(-1L);
        assertThat(leftovers(remote.getParent()))
                .as("each attempt removed only its own temporary file")
                .isEmpty();
        assertThat(progress).as("attempt 1 reported its bytes").isNotEmpty().isSorted();
        assertThat(progress.getLast()).isEqualTo(Files.size(file));
    }

    @Test
    void deleteIsIdempotent() throws IOException {
        transfer.upload(node.target(), "acc-3", randomFile(local.resolve("s.session"), 1000));
        assertThat(transfer.delete(node.target(), "acc-3")).isTrue();
        assertThat(node.deployDir().resolve("sessions/acc-3")).doesNotExist();
        assertThat(transfer.delete(node.target(), "acc-3")).isFalse();
    }

    @Test
    void downloadOfMissingFileIsNotFoundAndLeavesNothing() {
        Path dest = local.resolve("missing.session");
        assertThatThrownBy(() -> transfer.download(node.target(), "nobody", "missing.session", dest))
                .isInstanceOfSatisfying(SshException.class, e -> {
                    assertThat(e.kind()).isEqualTo(SshException.Kind.NOT_FOUND);
                    assertThat(e.getMessage()).contains("transfer-node", "download");
                });
        assertThat(dest).doesNotExist();
    }

    @Test
    void hostileAccountIdsAndFileNamesAreRefusedBeforeAnythingRuns() throws IOException {
        Path file = randomFile(local.resolve("ok.session"), 10);
        for (String bad : new String[] {"../etc", "a b", "x;rm -rf /", "$(id)", ""}) {
            assertThatThrownBy(() -> transfer.upload(node.target(), bad, file))
                    .isInstanceOfSatisfying(
                            SshException.class, e -> assertThat(e.kind()).isEqualTo(SshException.Kind.INVALID_INPUT));
            assertThatThrownBy(() -> transfer.delete(node.target(), bad)).isInstanceOf(SshException.class);
        }
        assertThatThrownBy(() -> transfer.download(node.target(), "acc", "../../etc/passwd", local.resolve("x")))
                .hasMessageContaining("invalid session file name");
    }

    @Test
    void aBatchOfUploadsSharesOneSessionAndEachFileSucceedsOrFailsAlone() throws IOException {
        uploadManyOnto(transfer, node.target(), node.deployDir(), local);
    }

    @Test
    void aSmallBatchIsVerifiedByReadingItBackWithoutARemoteCommandALargerOneByTheServersChecksum() throws IOException {
        RemoteShell shell = new RemoteShell(pool);
        SessionTransfer counted = new SessionTransfer(shell);
        Path a = randomFile(local.resolve("rb1/session.zip"), 3_000);
        Path b = randomFile(local.resolve("rb2/session.zip"), 5_000);
        List<SessionTransfer.Uploaded> small = counted.uploadMany(
                node.target(),
                List.of(new SessionTransfer.Upload("rb-1", a), new SessionTransfer.Upload("rb-2", b)),
                SessionTransfer.Progress.NONE);
        assertThat(small).allSatisfy(u -> assertThat(u.failure()).isNull());
        assertThat(shell.stats().commands())
                .as("no remote process for a small batch")
                .isZero();

        int half = (int) (SessionTransfer.READ_BACK_MAX_BYTES / 2) + 1;
        Path c = randomFile(local.resolve("rb3/session.zip"), half);
        Path d = randomFile(local.resolve("rb4/session.zip"), half);
        List<SessionTransfer.Uploaded> large = counted.uploadMany(
                node.target(),
                List.of(new SessionTransfer.Upload("rb-3", c), new SessionTransfer.Upload("rb-4", d)),
                SessionTransfer.Progress.NONE);
        assertThat(large).allSatisfy(u -> assertThat(u.failure()).isNull());
        assertThat(shell.stats().commands())
                .as("one sha256sum for the larger batch")
                .isEqualTo(1);

        List<Path> sent = List.of(a, b, c, d);
        for (int i = 0; i < sent.size(); i++) {
            Path remote = node.deployDir().resolve("sessions/rb-" + (i + 1) + "/session.zip");
            assertThat(Files.mismatch(sent.get(i), remote)).isEqualTo(-1L);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(remote)))
                    .isEqualTo("rw-------");
            assertThat(leftovers(remote.getParent())).isEmpty();
        }
    }

    @Test
    void aFileThatChangedOnTheServerBeforeItWasReadBackFailsAloneAndIsNotRenamedIntoPlace() throws IOException {
        Path good = randomFile(local.resolve("rot1/session.zip"), 4_000);
        Path rotten = randomFile(local.resolve("rot2/session.zip"), 4_000);
        node.setSftpFaults(new SftpFaultHook() {
            @Override
            public void beforeRead(Path file, long offset) throws IOException {
                // The server's copy of rot-2 changes between the write and the read-back (a bad disk, say).
                if (offset == 0 && file.toString().contains("/rot-2/.session.zip.")) {
                    byte[] bytes = Files.readAllBytes(file);
                    bytes[0] ^= 1;
                    Files.write(file, bytes);
                }
            }
        });
        List<SessionTransfer.Uploaded> results;
        try {
            results = transfer.uploadMany(
                    node.target(),
                    List.of(new SessionTransfer.Upload("rot-1", good), new SessionTransfer.Upload("rot-2", rotten)),
                    SessionTransfer.Progress.NONE);
        } finally {
            node.setSftpFaults(SftpFaultHook.NONE);
        }
        assertThat(results.get(0).failure()).isNull();
        assertThat(Files.mismatch(good, node.deployDir().resolve("sessions/rot-1/session.zip")))
                .isEqualTo(-1L);
        assertThat(results.get(1).file()).isNull();
        assertThat(results.get(1).failure().getMessage()).contains("rot-2", "SHA-256", "differs", "transfer-node");
        Path rottenDir = node.deployDir().resolve("sessions/rot-2");
        assertThat(rottenDir.resolve("session.zip")).doesNotExist();
        assertThat(leftovers(rottenDir)).isEmpty();
    }

    /**
     * Four accounts in one {@link SessionTransfer#uploadMany}: a new one, one already there with the same
     * content (skipped), one there with older content (replaced atomically), one whose local file is gone
     * (fails alone). Shared with the OpenSSH test.
     */
    static void uploadManyOnto(SessionTransfer transfer, SshTarget target, Path deployDir, Path local)
            throws IOException {
        Path fresh = randomFile(local.resolve("m1/session.zip"), 70_000);
        Path same = randomFile(local.resolve("m2/session.zip"), 1_000);
        Path newer = randomFile(local.resolve("m3/session.zip"), 2_000);
        Path sameSize = randomFile(local.resolve("m5/session.zip"), 1_500);
        transfer.upload(target, "batch-m2", same);
        transfer.upload(target, "batch-m5", randomFile(local.resolve("old5/session.zip"), 1_500));
        transfer.upload(target, "batch-m3", randomFile(local.resolve("old/session.zip"), 3_000));
        List<Long> progress = new CopyOnWriteArrayList<>();

        List<SessionTransfer.Uploaded> results = transfer.uploadMany(
                target,
                List.of(
                        new SessionTransfer.Upload("batch-m1", fresh),
                        new SessionTransfer.Upload("batch-m2", same),
                        new SessionTransfer.Upload("batch-m3", newer),
                        new SessionTransfer.Upload("batch-m4", local.resolve("m4/session.zip")),
                        new SessionTransfer.Upload("batch-m5", sameSize)),
                progress::add);

        assertThat(results)
                .extracting(SessionTransfer.Uploaded::accountId)
                .containsExactly("batch-m1", "batch-m2", "batch-m3", "batch-m4", "batch-m5");
        assertThat(results.get(3).file()).isNull();
        assertThat(results.get(3).failure().getMessage()).contains("not a regular file");
        for (int i : List.of(0, 1, 2, 4)) {
            SessionTransfer.Uploaded u = results.get(i);
            assertThat(u.failure()).as(u.accountId()).isNull();
            Path remote = deployDir.resolve("sessions/" + u.accountId() + "/session.zip");
            assertThat(u.file().path()).isEqualTo(remote.toString());
            assertThat(Files.mismatch(
                            List.of(fresh, same, newer, same, sameSize).get(i), remote))
                    .isEqualTo(-1L);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(remote)))
                    .isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(remote.getParent())))
                    .isEqualTo("rwx------");
            assertThat(leftovers(remote.getParent())).isEmpty();
        }
        assertThat(Files.exists(deployDir.resolve("sessions/batch-m4"))).isFalse();
        // the files sent in the batch (not the one already there) were reported as they went; the one of the same
        // size but other content was found by its checksum and sent after them
        assertThat(progress).contains(70_000L + 2_000L).last().isEqualTo(1_500L);
    }

    static Path randomFile(Path path, int size) throws IOException {
        byte[] bytes = new byte[size];
        new Random().nextBytes(bytes);
        Files.createDirectories(path.getParent());
        return Files.write(path, bytes);
    }

    /** Temporary transfer files (".name.uuid.part") left in a directory. */
    static java.util.List<Path> leftovers(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return java.util.List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".part"))
                    .toList();
        }
    }
}
