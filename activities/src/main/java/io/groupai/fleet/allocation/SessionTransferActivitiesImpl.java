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
        Path archive = store.archive(accountId)
                .orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
                        "the control plane holds no session archive for account " + accountId
                                + "; upload its session before allocating it",
                        FailureTypes.NO_SESSION));
        return ssh(serverId, () -> {
            RemoteFile file = transfer.upload(targets.of(serverId), accountId, archive, heartbeat());
            return new UploadedSession(accountId, serverId, file.path(), file.sha256(), file.size());
        });
    }

    @Override
    public List<UploadedAccount> uploadBatch(String serverId, List<String> accountIds) {
        List<UploadedAccount> out = new ArrayList<>();
        List<SessionTransfer.Upload> uploads = new ArrayList<>();
        for (String accountId : accountIds) {
            Optional<Path> archive = store.archive(accountId);
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
                    ssh(serverId, () -> transfer.uploadMany(targets.of(serverId), uploads, heartbeat()));
            for (SessionTransfer.Uploaded u : sent) {
                out.add(
                        u.file() == null
                                ? new UploadedAccount(
                                        u.accountId(), null, u.failure().getMessage())
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
        ssh(serverId, () -> transfer.delete(targets.of(serverId), accountId));
    }

    @Override
    public UploadedSession fetchExported(String accountId, String serverId, String remotePath) {
        return ssh(serverId, () -> {
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
                store.store(accountId, temp);
                log.info(
                        "account {}: session exported on {} stored on the control plane ({} bytes)",
                        accountId,
                        serverId,
                        file.size());
                return new UploadedSession(accountId, serverId, remotePath, file.sha256(), file.size());
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

    private static <T> T ssh(String serverId, Supplier<T> work) {
        try {
            return work.get();
        } catch (SshException e) {
            throw SshFailures.toTemporal(e);
        } catch (NotFoundException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureTypes.SERVER_NOT_ELIGIBLE);
        }
    }
}
