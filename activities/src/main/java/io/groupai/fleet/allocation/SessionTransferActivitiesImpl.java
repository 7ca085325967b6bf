package io.groupai.fleet.allocation;

import io.groupai.fleet.nodes.NodeTargets;
import io.groupai.fleet.nodes.SshFailures;
import io.groupai.fleet.nodes.ssh.RemoteFile;
import io.groupai.fleet.nodes.ssh.RemoteShell;
import io.groupai.fleet.nodes.ssh.SessionTransfer;
import io.groupai.fleet.nodes.ssh.ShellQuote;
import io.groupai.fleet.nodes.ssh.SshException;
import io.groupai.fleet.nodes.ssh.SshTarget;
import io.groupai.fleet.registry.NotFoundException;
import io.groupai.fleet.sessions.SessionIntegrityException;
import io.groupai.fleet.sessions.SessionStore;
import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.allocation.SessionTransferActivities;
import io.groupai.fleet.workflows.allocation.UploadedAccount;
import io.groupai.fleet.workflows.allocation.UploadedSession;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Session archives between the control plane's {@link SessionStore} and the servers, over SFTP. */
@Component("sessionTransferActivities")
public class SessionTransferActivitiesImpl implements SessionTransferActivities {

    private static final Logger log = LoggerFactory.getLogger(SessionTransferActivitiesImpl.class);

    private final SessionStore store;
    private final SessionTransfer transfer;
    private final RemoteShell shell;
    private final NodeTargets targets;

    public SessionTransferActivitiesImpl(
            SessionStore store, SessionTransfer transfer, RemoteShell shell, NodeTargets targets) {
        this.store = store;
        this.transfer = transfer;
        this.shell = shell;
        this.targets = targets;
    }

    @Override
    public UploadedSession upload(String accountId, String serverId) {
        SessionTransfer.Source archive = store.transferSource(accountId, "upload to " + serverId)
                .orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
                        "the control plane holds no session archive for account " + accountId
                                + "; upload its session before allocating it",
                        FailureTypes.NO_SESSION));
        // The store decrypts as the file streams; the server checks the SHA-256 recorded at store time before it
        // renames the file into place, so what the node installs is what was stored.
        return ssh(accountId, serverId, () -> {
            RemoteFile file = transfer.upload(targets.of(serverId), accountId, archive, heartbeat());
            return new UploadedSession(accountId, serverId, file.path(), file.sha256(), file.size());
        });
    }

    @Override
    public List<UploadedAccount> uploadBatch(String serverId, List<String> accountIds) {
        List<UploadedAccount> out = new ArrayList<>();
        List<SessionTransfer.Upload> uploads = new ArrayList<>();
        for (String accountId : accountIds) {
            Optional<SessionTransfer.Source> archive = store.transferSource(accountId, "upload to " + serverId);
            if (archive.isPresent()) {
                uploads.add(new SessionTransfer.Upload(accountId, archive.get()));
            } else {
                out.add(new UploadedAccount(
                        accountId,
                        null,
                        "the control plane holds no session archive for account " + accountId
                                + "; upload its session before allocating it"));
            }
        }
        if (!uploads.isEmpty()) {
            List<SessionTransfer.Uploaded> sent =
                    ssh(null, serverId, () -> transfer.uploadMany(targets.of(serverId), uploads, heartbeat()));
            for (SessionTransfer.Uploaded u : sent) {
                out.add(
                        u.file() == null
                                ? new UploadedAccount(
                                        u.accountId(),
                                        null,
                                        SessionIntegrityException.in(u.failure())
                                                .map(Throwable::getMessage)
                                                .orElse(u.failure().getMessage()))
                                : new UploadedAccount(
                                        u.accountId(),
                                        new UploadedSession(
                                                u.accountId(),
                                                serverId,
                                                u.file().path(),
                                                u.file().sha256(),
                                                u.file().size()),
                                        null));
            }
        }
        return out;
    }

    @Override
    public void remove(String accountId, String serverId) {
        ssh(accountId, serverId, () -> transfer.delete(targets.of(serverId), accountId));
    }

    @Override
    public UploadedSession fetchExported(String accountId, String serverId, String remotePath, String expectedSha256) {
        return download(accountId, serverId, remotePath, expectedSha256, "fetch session", (temp, file) -> {
            store.store(accountId, temp, "export from " + serverId);
            log.info(
                    "account {}: session exported on {} stored on the control plane ({} bytes)",
                    accountId,
                    serverId,
                    file.size());
            return new UploadedSession(accountId, serverId, remotePath, file.sha256(), file.size());
        });
    }

    /** What to do with a downloaded, verified export (a plaintext temporary file in the store's directory). */
    @FunctionalInterface
    public interface Downloaded<T> {
        T accept(Path temp, RemoteFile file);
    }

    /**
     * Downloads a session the node exported into a temporary file of the store (0600, deleted afterwards), checks
     * its SHA-256 twice: against the server's {@code sha256sum} of the file (the transfer itself), and against
     * {@code expectedSha256}, what the node computed when it packed the export (null: not known). A mismatch with
     * the latter fails non-retryably (SessionChecksumMismatch) before anything is stored.
     */
    public <T> T download(
            String accountId,
            String serverId,
            String remotePath,
            String expectedSha256,
            String step,
            Downloaded<T> then) {
        return ssh(accountId, serverId, () -> {
            SshTarget target = targets.of(serverId);
            String dir = SessionTransfer.accountDir(target, accountId);
            String fileName;
            String staged = null;
            if (remotePath.startsWith(dir + "/") && remotePath.indexOf('/', dir.length() + 1) < 0) {
                fileName = remotePath.substring(dir.length() + 1);
            } else {
                // Exports live outside the sessions directory: stage a copy where the transfer reads from, under a
                // name of this attempt's own (an overlapping retry must not rewrite the file this one is reading).
                fileName = "export-" + UUID.randomUUID() + ".zip";
                staged = dir + "/" + fileName;
                shell.execChecked(
                        target,
                        "stage-export",
                        "umask 077 && mkdir -p " + ShellQuote.quote(dir) + " && cp -f -- "
                                + ShellQuote.quote(remotePath) + " " + ShellQuote.quote(staged),
                        null);
            }
            Path temp = store.newTempFile();
            try {
                RemoteFile file = transfer.download(target, accountId, fileName, temp, heartbeat());
                if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(file.sha256())) {
                    throw ApplicationFailure.newNonRetryableFailure(
                            "account " + accountId + " on server " + serverId + ", step " + step
                                    + ": SHA-256 of the downloaded session differs from the one the node computed at"
                                    + " export: expected " + expectedSha256 + ", got " + file.sha256()
                                    + "; nothing was stored",
                            FailureTypes.SESSION_CHECKSUM_MISMATCH);
                }
                return then.accept(temp, file);
            } finally {
                deleteQuietly(temp);
                if (staged != null) {
                    removeStaged(target, staged);
                }
            }
        });
    }

    private void removeStaged(SshTarget target, String staged) {
        try {
            shell.execChecked(target, "stage-export", "rm -f -- " + ShellQuote.quote(staged), Duration.ofSeconds(10));
        } catch (SshException e) {
            log.warn("server {}: could not remove the staged export {}: {}", target.nodeId(), staged, e.getMessage());
        }
    }

    /** Heartbeats the bytes moved, so a stuck transfer fails after the heartbeat timeout (see SessionTransferOptions). */
    private static SessionTransfer.Progress heartbeat() {
        ActivityExecutionContext context = Activity.getExecutionContext();
        return context::heartbeat;
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (java.io.IOException e) {
            log.warn("could not remove temporary file {}: {}", temp, e.getMessage());
        }
    }

    private static <T> T ssh(String accountId, String serverId, Supplier<T> work) {
        try {
            return work.get();
        } catch (SshException e) {
            Optional<SessionIntegrityException> corrupt = SessionIntegrityException.in(e);
            if (corrupt.isPresent()) {
                log.error("server {}: {}", serverId, corrupt.get().getMessage());
                throw ApplicationFailure.newNonRetryableFailure(
                        corrupt.get().getMessage(), FailureTypes.STORED_SESSION_CORRUPT);
            }
            throw SshFailures.toTemporal(e);
        } catch (NotFoundException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureTypes.SERVER_NOT_ELIGIBLE);
        }
    }
}
