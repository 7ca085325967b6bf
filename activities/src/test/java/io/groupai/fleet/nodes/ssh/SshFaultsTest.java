package io.groupai.fleet.nodes.ssh;

import static io.groupai.fleet.nodes.ssh.SessionTransferTest.leftovers;
import static io.groupai.fleet.nodes.ssh.SessionTransferTest.randomFile;
import static io.groupai.fleet.nodes.ssh.SshTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupai.fleet.nodes.sim.EmbeddedSshNode;
import io.groupai.fleet.nodes.sim.SftpFaultHook;
import io.groupai.fleet.nodes.ssh.SshException.Kind;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each failure mode: the right kind, a message naming server and step, and nothing half-done left behind. */
class SshFaultsTest {

    @TempDir
    Path base;

    EmbeddedSshNode node;
    InMemoryHostKeyStore hostKeys;
    Credentials credentials;
    SshSessionPool pool;
    RemoteShell shell;
    SessionTransfer transfer;

    @BeforeEach
    void start() {
        node = startNode(base, "fault-node");
        hostKeys = new InMemoryHostKeyStore();
        credentials = new Credentials();
        pool = new SshSessionPool(FAST, hostKeys, credentials);
        shell = new RemoteShell(pool);
        transfer = new SessionTransfer(shell);
    }

    @AfterEach
    void stop() {
        pool.close();
        node.close();
    }

    @Test
    void unreachableServerIsRetryable() {
        SshTarget closed = new SshTarget("ghost", "127.0.0.1", freePort(), USER, "/srv/fleet");
        SshException e = failure(() -> new NodeProbe(shell).probe(closed));
        assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE);
        assertThat(e.retryable()).isTrue();
        assertThat(e.step()).isEqualTo("connect");
        assertThat(e.getMessage()).contains("server ghost", "step connect", "127.0.0.1");
    }

    @Test
    void wrongPasswordIsNotRetryableAndNotEchoed() {
        credentials.put("fault-node", SshCredentials.Password.of("wrong-password-123"));
        SshException e = failure(() -> shell.exec(node.target(), "status", "true", null));
        assertThat(e.kind()).isEqualTo(Kind.AUTH_FAILED);
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("fault-node", "auth").doesNotContain("wrong-password-123", PASSWORD);
        assertThat(pool.openSessions()).isZero();
    }

    @Test
    void refusedKeyIsAuthFailure() {
        ClientKey accepted = newClientKey("accepted");
        ClientKey other = newClientKey("other");
        node.close();
        node = new EmbeddedSshNode(
                        "key-node",
                        base.resolve("key-node"),
                        0,
                        USER,
                        null,
                        java.util.List.of(accepted.authorizedKeyLine()))
                .start();
        credentials.put("key-node", other.credentials());
        SshException e = failure(() -> shell.exec(node.target(), "probe", "true", null));
        assertThat(e.kind()).isEqualTo(Kind.AUTH_FAILED);
        assertThat(e.getMessage()).contains("key-node", "auth").doesNotContain("PRIVATE KEY");

        credentials.put("key-node", accepted.credentials());
        assertThat(shell.exec(node.target(), "probe", "echo ok", null).stdout()).isEqualTo("ok\n");
    }

    @Test
    void changedHostKeyIsRefusedUntilThePinIsClearedDeliberately() {
        shell.execChecked(node.target(), "probe", "true", null);
        PinnedHostKey original = hostKeys.find("fault-node").orElseThrow();

        node.rotateHostKey(); // same address, new key: a reinstalled server, or a man in the middle
        SshException e = failure(() -> shell.exec(node.target(), "probe", "true", null));
        assertThat(e.kind()).isEqualTo(Kind.HOST_KEY_CHANGED);
        assertThat(e.retryable()).isFalse();
        assertThat(e.step()).isEqualTo("host-key");
        assertThat(e.getMessage())
                .contains(
                        "host key of server fault-node changed",
                        original.fingerprint(),
                        "DELETE /api/v1/group-ai/servers/fault-node/host-key");
        assertThat(hostKeys.find("fault-node")).contains(original); // the refusal did not re-pin

        hostKeys.clear("fault-node");
        assertThat(shell.exec(node.target(), "probe", "echo ok", null).ok()).isTrue();
        assertThat(hostKeys.find("fault-node")).get().isNotEqualTo(original);
    }

    @Test
    void anExpectedFingerprintIsTheOnlyKeyThatGetsPinned() {
        String wrong = "SHA256:" + "A".repeat(43);
        hostKeys.expect("fault-node", wrong);
        SshException e = failure(() -> shell.exec(node.target(), "probe", "true", null));
        assertThat(e.kind()).isEqualTo(Kind.HOST_KEY_CHANGED);
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("not the expected one", wrong, "server fault-node");
        assertThat(hostKeys.find("fault-node")).isEmpty(); // nothing pinned

        // The real fingerprint, as an operator would read it on the server.
        InMemoryHostKeyStore learned = new InMemoryHostKeyStore();
        try (SshSessionPool other = new SshSessionPool(FAST, learned, credentials)) {
            new RemoteShell(other).execChecked(node.target(), "probe", "true", null);
        }
        String real = learned.find("fault-node").orElseThrow().fingerprint();
        hostKeys.expect("fault-node", real);
        assertThat(shell.exec(node.target(), "probe", "echo ok", null).ok()).isTrue();
        assertThat(hostKeys.find("fault-node").orElseThrow().fingerprint()).isEqualTo(real);
    }

    @Test
    void aPinIsWrittenOnlyWhereNoneExists() {
        PinnedHostKey first = new PinnedHostKey(
                "ssh-ed25519", "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl");
        assertThat(hostKeys.pinIfAbsent("n", first)).isTrue();
        PinnedHostKey other = new PinnedHostKey("ssh-rsa", "AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7");
        assertThat(hostKeys.pinIfAbsent("n", other)).isFalse();
        assertThat(hostKeys.find("n")).contains(first);
    }

    @Test
    void hostKeySurvivesRestartOfTheNode() {
        shell.execChecked(node.target(), "probe", "true", null);
        node.stop();
        node.start();
        assertThat(shell.exec(node.target(), "probe", "echo ok", null).stdout()).isEqualTo("ok\n");
    }

    @Test
    void commandTimeoutIsRetryableAndTheSessionStaysUsable() {
        long start = System.nanoTime();
        SshException e = failure(() -> shell.exec(node.target(), "start", "sleep 10", Duration.ofSeconds(1)));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(e.retryable()).isTrue();
        assertThat(e.getMessage()).contains("fault-node", "step start", "1000 ms");
        assertThat(shell.exec(node.target(), "probe", "echo still-fine", null).stdout())
                .isEqualTo("still-fine\n");
    }

    @Test
    void permissionDeniedDuringUploadLeavesNothing() throws IOException {
        // Tests run as root, and chmod does not stop root. The simulated node's SFTP server refuses the
        // open with AccessDeniedException, which reaches the client as a real SSH_FX_PERMISSION_DENIED
        // status, exactly what OpenSSH's sftp-server sends on EACCES.
        node.setSftpFaults(new SftpFaultHook() {
            @Override
            public void beforeOpenForWrite(Path file) throws IOException {
                throw new AccessDeniedException(file.toString(), null, "Permission denied");
            }
        });
        Path file = randomFile(base.resolve("local/acc.session"), 200_000);
        SshException e = failure(() -> transfer.upload(node.target(), "acc-pd", file));
        assertThat(e.kind()).isEqualTo(Kind.PERMISSION_DENIED);
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("fault-node", "step upload");
        assertNothingLeft("acc-pd");
    }

    @Test
    void diskFullMidTransferLeavesNothing() throws IOException {
        // Deterministic ENOSPC: after 256 KiB the node's SFTP server fails writes with the libc message,
        // which OpenSSH's sftp-server reports as SSH_FX_FAILURE (SFTP v3 has no dedicated code).
        node.setSftpFaults(new SftpFaultHook() {
            @Override
            public void beforeWrite(Path file, long endOffset) throws IOException {
                if (endOffset > 256 * 1024) {
                    throw new IOException("No space left on device");
                }
            }
        });
        Path file = randomFile(base.resolve("local/acc.session"), 2 * 1024 * 1024);
        SshException e = failure(() -> transfer.upload(node.target(), "acc-full", file));
        assertThat(e.kind()).as(e.getMessage()).isEqualTo(Kind.DISK_FULL);
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("fault-node", "step upload", "No space left on device");
        assertNothingLeft("acc-full");
    }

    @Test
    void droppedConnectionMidTransferIsRetryableAndARetryCleansUp() throws IOException {
        AtomicBoolean dropped = new AtomicBoolean();
        node.setSftpFaults(new SftpFaultHook() {
            @Override
            public void beforeWrite(Path file, long endOffset) throws IOException {
                if (endOffset > 1024 * 1024 && dropped.compareAndSet(false, true)) {
                    Thread.ofPlatform().start(node::stop); // the server dies while this write is in flight
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IOException("server going down");
                }
            }
        });
        Path file = randomFile(base.resolve("local/acc.tar.gz"), 4 * 1024 * 1024);

        // Bounded retry as an activity would do it: only retryable failures are tried again.
        AtomicInteger attempts = new AtomicInteger();
        RemoteFile uploaded =
                withRetry(3, attempts, () -> transfer.upload(node.target(), "acc-drop", file), failure -> {
                    assertThat(failure.kind()).isEqualTo(Kind.TRANSFER_FAILED);
                    assertThat(failure.getMessage()).contains("fault-node", "step upload");
                    Path accountDir = node.deployDir().resolve("sessions/acc-drop");
                    assertThat(accountDir.resolve("acc.tar.gz"))
                            .as("no partial file at the final name")
                            .doesNotExist();
                    node.start(); // the server comes back (same port, same host key)
                });
        assertThat(attempts).hasValue(2);
        assertThat(uploaded.size()).isEqualTo(4 * 1024 * 1024);
        // The dropped attempt's temp file is young: for all the retry knows, that attempt is still writing.
        Path accountDir = node.deployDir().resolve("sessions/acc-drop");
        List<Path> left = leftovers(accountDir);
        assertThat(left)
                .as("the temp file of the dropped attempt is not the retry's to delete")
                .hasSize(1);
        // Once older than any attempt can run, the next upload sweeps it.
        Files.setLastModifiedTime(left.getFirst(), FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        transfer.upload(node.target(), "acc-drop", file);
        assertThat(leftovers(accountDir))
                .as("the stale temp file was swept by a later upload")
                .isEmpty();
    }

    @Test
    void droppedConnectionMidDownloadLeavesNoLocalFile() throws IOException {
        Path file = randomFile(base.resolve("local/acc.tar.gz"), 4 * 1024 * 1024);
        transfer.upload(node.target(), "acc-dl", file);
        AtomicBoolean dropped = new AtomicBoolean();
        node.setSftpFaults(new SftpFaultHook() {
            @Override
            public void beforeRead(Path f, long offset) throws IOException {
                if (offset > 1024 * 1024 && dropped.compareAndSet(false, true)) {
                    node.stop(); // from the SFTP thread itself: connection gone mid-download
                    throw new IOException("server going down");
                }
            }
        });
        Path dest = base.resolve("restore/acc.tar.gz");
        SshException e = failure(() -> transfer.download(node.target(), "acc-dl", "acc.tar.gz", dest));
        assertThat(e.kind()).as(e.getMessage()).isEqualTo(Kind.TRANSFER_FAILED);
        assertThat(e.retryable()).isTrue();
        assertThat(e.getMessage()).contains("fault-node", "step download");
        assertThat(dest).doesNotExist();
        assertThat(leftovers(dest.getParent())).isEmpty();
    }

    @Test
    void nonRetryableFailureIsNotRetried() throws IOException {
        node.setSftpFaults(new SftpFaultHook() {
            @Override
            public void beforeOpenForWrite(Path file) throws IOException {
                throw new AccessDeniedException(file.toString());
            }
        });
        Path file = randomFile(base.resolve("local/acc.session"), 1000);
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> withRetry(3, attempts, () -> transfer.upload(node.target(), "acc-nr", file), f -> {}))
                .isInstanceOfSatisfying(
                        SshException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PERMISSION_DENIED));
        assertThat(attempts).hasValue(1);
    }

    private void assertNothingLeft(String accountId) throws IOException {
        Path dir = node.deployDir().resolve("sessions/" + accountId);
        assertThat(dir.resolve("acc.session")).doesNotExist();
        assertThat(leftovers(dir)).isEmpty();
    }

    private static SshException failure(ThrowingCallable call) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
        assertThat(t).isInstanceOf(SshException.class);
        return (SshException) t;
    }

    private static <T> T withRetry(
            int maxAttempts,
            AtomicInteger attempts,
            Supplier<T> action,
            java.util.function.Consumer<SshException> beforeRetry) {
        while (true) {
            attempts.incrementAndGet();
            try {
                return action.get();
            } catch (SshException e) {
                if (!e.retryable() || attempts.get() >= maxAttempts) {
                    throw e;
                }
                beforeRetry.accept(e);
            }
        }
    }
}
