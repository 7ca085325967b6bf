package io.groupai.fleet.nodes.ssh;

import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SftpProgressMonitor;
import io.groupai.fleet.sessionformat.AtomicFiles;
import io.groupai.fleet.sessionformat.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves account session files to and from {@code <deployDir>/sessions/<accountId>/}.
 *
 * <p>Upload: free-space check, SFTP to a temporary name in the same directory, remote
 * {@code sha256sum}, then an atomic {@code mv -f} to the final name; file 0600, directory 0700.
 * Download goes through a local temporary file and a checksum too. On any failure no partial file
 * is left at the final name, and the temporary file is removed (or, if the server is gone, swept
 * by a later upload once it is older than any attempt can run). Every attempt has its own temporary
 * name and removes only its own, so a retry that overlaps a slow earlier attempt (Temporal retries
 * after a heartbeat timeout) leaves it intact. Every operation is idempotent, so retries are safe.
 */
public final class SessionTransfer {

    private static final Logger log = LoggerFactory.getLogger(SessionTransfer.class);

    private static final Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9_+-]{1,64}");
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_+-][A-Za-z0-9._+-]{0,127}");
    private static final Pattern SUBDIR = Pattern.compile("[a-z]{1,16}");
    private static final Pattern MODE = Pattern.compile("0[0-7]{3}");
    /**
     * A batch whose files add up to at most this many bytes is verified by reading them back over its SFTP
     * channel instead of a remote {@code sha256sum} (a process on the server per batch); larger batches are
     * dominated by their transfer and keep the command, which does not send the bytes back.
     */
    static final long READ_BACK_MAX_BYTES = 1024 * 1024;

    /** Head-room kept free on the server beyond the file itself. */
    private static final long FREE_SPACE_MARGIN = 1024 * 1024;

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sftp-transfer-timeouts");
        t.setDaemon(true);
        return t;
    });

    /** Bytes moved so far by one transfer, reported as it goes (e.g. as a Temporal activity heartbeat). */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = bytes -> {};

        void transferred(long bytes);
    }

    private final RemoteShell shell;
    private final SshSessionPool pool;
    private final java.util.concurrent.atomic.LongAdder sftpChannels = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder sftpNanos = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder files = new java.util.concurrent.atomic.LongAdder();

    /** SFTP channels used so far, their total wall time (session wait included), files moved: for the benches. */
    public record Stats(long sftpChannels, long sftpNanos, long files) {}

    public Stats stats() {
        return new Stats(sftpChannels.sum(), sftpNanos.sum(), files.sum());
    }

    public SessionTransfer(RemoteShell shell) {
        this.shell = Objects.requireNonNull(shell, "shell");
        this.pool = shell.pool();
    }

    /** {@code <deployDir>/sessions/<accountId>} */
    public static String accountDir(SshTarget target, String accountId) {
        return target.sessionsDir() + "/" + requireAccountId(target, accountId);
    }

    /** Uploads a session file or archive; returns the verified remote file. Uploading identical content again is a cheap no-op. */
    public RemoteFile upload(SshTarget target, String accountId, Path local) {
        return upload(target, accountId, local, Progress.NONE);
    }

    /** {@link #upload(SshTarget, String, Path)}, reporting the bytes sent to {@code progress}. */
    public RemoteFile upload(SshTarget target, String accountId, Path local, Progress progress) {
        requireLocalFile(target, local);
        return upload(target, accountId, Source.of(local), progress);
    }

    /**
     * What an upload sends: a name, the SHA-256 and size of the bytes it yields (known before sending, so the
     * server checks what it received against them) and the bytes themselves. A plain file, or a session the
     * control plane's store decrypts as it streams (the plaintext never lands on the control plane's disk, and
     * the server's {@code sha256sum} compares it with the checksum recorded when the session was stored).
     */
    public interface Source {
        String fileName();

        Sha256.Sum digest() throws IOException;

        InputStream open() throws IOException;

        /** A local file, read as it is (its checksum computed once, when first asked for). */
        static Source of(Path file) {
            return new Source() {
                private Sha256.Sum digest;

                @Override
                public String fileName() {
                    return file.getFileName().toString();
                }

                @Override
                public synchronized Sha256.Sum digest() throws IOException {
                    if (!Files.isRegularFile(file)) {
                        throw new IOException("not a regular file: " + file
                                + " (pack a TDLib database directory as an archive before uploading)");
                    }
                    if (digest == null) {
                        digest = Sha256.of(file);
                    }
                    return digest;
                }

                @Override
                public InputStream open() throws IOException {
                    return Files.newInputStream(file);
                }

                @Override
                public String toString() {
                    return file.toString();
                }
            };
        }
    }

    /** {@link #upload(SshTarget, String, Path, Progress)} of any {@link Source}. */
    public RemoteFile upload(SshTarget target, String accountId, Source local, Progress progress) {
        requireAccountId(target, accountId);
        String dir = accountDir(target, accountId);
        return put(
                target,
                "upload",
                List.of(target.sessionsDir(), dir),
                "0700",
                dir,
                requireFileName(target, local.fileName()),
                local,
                "0600",
                "session file of account " + accountId,
                progress);
    }

    /** One archive of a batched upload: the account and its local file. */
    public record Upload(String accountId, Source source) {
        public Upload(String accountId, Path local) {
            this(accountId, Source.of(local));
        }
    }

    /** One account of a batched upload: the verified remote file, or why not (naming server and step). */
    public record Uploaded(String accountId, RemoteFile file, SshException failure) {}

    /**
     * {@link #upload} of several accounts' archives to one server, with the same guarantees per
     * file (own temporary name, SHA-256 checked on the server, atomic rename, 0600 in a 0700
     * directory, identical content skipped) but one SSH session and one SFTP channel for all: the
     * files written one after the other, read back and checked, renamed into place; no remote
     * command (a batch over {@link #READ_BACK_MAX_BYTES}: one {@code sha256sum} of all, then the
     * renames). A file that fails fails alone; the server being unreachable fails the call.
     * Results in input order.
     */
    public List<Uploaded> uploadMany(SshTarget target, List<Upload> uploads, Progress progress) {
        String step = "upload";
        java.util.Map<Integer, Uploaded> results = new java.util.TreeMap<>();
        List<Integer> todo = new java.util.ArrayList<>();
        List<Sha256.Sum> digests = new java.util.ArrayList<>();
        List<String> dirs = new java.util.ArrayList<>();
        List<String> finals = new java.util.ArrayList<>();
        List<String> temps = new java.util.ArrayList<>();
        String attempt = UUID.randomUUID().toString();
        for (int i = 0; i < uploads.size(); i++) {
            Upload u = uploads.get(i);
            Sha256.Sum digest = null;
            String dir = null;
            String fileName = null;
            try {
                dir = accountDir(target, u.accountId());
                fileName = requireFileName(target, u.source().fileName());
                digest = sha256(target, u.source());
            } catch (SshException e) {
                results.put(i, new Uploaded(u.accountId(), null, e));
            }
            digests.add(digest);
            dirs.add(dir);
            finals.add(dir == null ? null : dir + "/" + fileName);
            temps.add(dir == null ? null : dir + "/." + fileName + "." + attempt + ".part");
            if (digest != null) {
                todo.add(i);
            }
        }
        if (todo.isEmpty()) {
            return ordered(results);
        }
        progress.transferred(0);

        // One SFTP channel prepares and writes: directories created with 0700, temporary files of dead attempts swept
        // (only those older than any attempt can run), existing copies looked at, free space checked, then the files
        // one after the other (0600). No remote process runs for this; a file that fails fails alone.
        List<Integer> written = new java.util.ArrayList<>();
        List<Integer> sameSize = new java.util.ArrayList<>(); // a copy of the same size is there: checksummed below
        List<Integer> present = new java.util.ArrayList<>();
        List<Integer> differing = new java.util.ArrayList<>(); // same size, other content: uploaded alone below
        java.util.Map<String, String> sums = new java.util.HashMap<>();
        boolean[] verifiedHere = {false};
        Runnable compare = () -> {
            present.clear();
            differing.clear();
            for (int i : sameSize) {
                (digests.get(i).hex().equals(sums.get(finals.get(i))) ? present : differing).add(i);
            }
        };
        List<Integer> renamed = new java.util.ArrayList<>();
        List<Integer> notRenamed = new java.util.ArrayList<>();
        // Rename the good ones into place and drop the bad ones, over SFTP (posix-rename: atomic, replaces an older
        // copy), and fix the present ones' mode.
        SftpWork<Void> rename = channel -> {
            renamed.clear();
            notRenamed.clear();
            for (int i : written) {
                String remote = sums.get(temps.get(i));
                try {
                    if (digests.get(i).hex().equals(remote)) {
                        channel.rename(temps.get(i), finals.get(i));
                        renamed.add(i);
                    } else {
                        channel.rm(temps.get(i));
                        results.put(
                                i,
                                new Uploaded(
                                        uploads.get(i).accountId(),
                                        null,
                                        new SshException(
                                                target.nodeId(),
                                                "verify-checksum",
                                                SshException.Kind.TRANSFER_FAILED,
                                                "SHA-256 of the uploaded session file of account "
                                                        + uploads.get(i).accountId() + " differs: local "
                                                        + digests.get(i).hex() + ", remote "
                                                        + (remote == null ? "(not readable)" : remote))));
                    }
                } catch (Exception e) {
                    if (!channel.isConnected()) {
                        throw e;
                    }
                    notRenamed.add(i);
                }
            }
            for (int i : present) {
                mode(channel, finals.get(i), 0600);
            }
            return null;
        };
        long staleBefore = System.currentTimeMillis() / 1000 - staleTempMinutes() * 60;
        long[] moved = {0};
        Duration limit = pool.settings().transferTimeout().multipliedBy(todo.size());
        SftpWork<Void> prepareAndWrite = channel -> {
            directory(channel, target.sessionsDir());
            List<Integer> send = new java.util.ArrayList<>();
            long bytes = 0;
            for (int i : todo) {
                boolean created = directory(channel, dirs.get(i));
                String fileName = finals.get(i).substring(dirs.get(i).length() + 1);
                Long existing = null;
                // A directory made just now holds nothing to sweep or compare: four round trips fewer per new account.
                for (ChannelSftp.LsEntry e : created ? List.<ChannelSftp.LsEntry>of() : channel.ls(dirs.get(i))) {
                    String name = e.getFilename();
                    if (name.startsWith("." + fileName + ".")
                            && name.endsWith(".part")
                            && e.getAttrs().getMTime() < staleBefore) {
                        channel.rm(dirs.get(i) + "/" + name);
                    } else if (name.equals(fileName) && e.getAttrs().isReg()) {
                        existing = e.getAttrs().getSize();
                    }
                }
                if (existing != null && existing == digests.get(i).size()) {
                    sameSize.add(i);
                } else {
                    send.add(i);
                    bytes += digests.get(i).size();
                }
            }
            Long avail = availableBytes(channel, target.sessionsDir());
            if (avail != null && avail < bytes + FREE_SPACE_MARGIN) {
                throw new SshException(
                        target.nodeId(),
                        step,
                        SshException.Kind.DISK_FULL,
                        "only " + avail / 1024 + " KiB free under " + target.sessionsDir() + ", the " + send.size()
                                + " session files need " + (bytes / 1024 + 1) + " KiB plus 1 MiB head-room");
            }
            for (int i : send) {
                long before = moved[0];
                try (InputStream in = uploads.get(i).source().open()) {
                    channel.put(
                            in, temps.get(i), monitor(b -> progress.transferred(before + b)), ChannelSftp.OVERWRITE);
                    mode(channel, temps.get(i), 0600);
                    files.increment();
                    moved[0] = before + digests.get(i).size();
                    written.add(i);
                } catch (Exception e) {
                    if (!channel.isConnected()) {
                        throw e; // the session broke: the whole call fails (and is retried)
                    }
                    results.put(i, failed(target, step, uploads.get(i).accountId(), "could not be written", e));
                }
            }
            long toVerify = 0;
            for (int i : written) {
                toVerify += digests.get(i).size();
            }
            for (int i : sameSize) {
                toVerify += digests.get(i).size();
            }
            if (toVerify <= READ_BACK_MAX_BYTES) {
                // Small files: the server's bytes read back on this channel and hashed here prove the same as the
                // server's sha256sum, without a remote process (the costliest part of a batch on a busy server).
                for (int i : written) {
                    sums.put(temps.get(i), readBackSha256(channel, temps.get(i)));
                }
                for (int i : sameSize) {
                    sums.put(finals.get(i), readBackSha256(channel, finals.get(i)));
                }
                verifiedHere[0] = true;
                compare.run();
                rename.run(channel);
            }
            return null;
        };
        try {
            sftp(target, step, limit, prepareAndWrite);
        } catch (SshException e) {
            if (e.getCause() instanceof MissingParent) {
                // The deploy directory itself is missing: create the path as the single upload does, then again.
                shell.execChecked(
                        target, step, "umask 077 && mkdir -p -- " + ShellQuote.quote(target.sessionsDir()), null);
                written.clear();
                sameSize.clear();
                sums.clear();
                verifiedHere[0] = false;
                sftp(target, step, limit, prepareAndWrite);
            } else {
                throw e;
            }
        }
        // Larger files: the server's own checksum of every written file, in one process; then renamed on a channel.
        if (!verifiedHere[0]) {
            if (!written.isEmpty() || !sameSize.isEmpty()) {
                StringBuilder sum = new StringBuilder("sha256sum --");
                written.forEach(i -> sum.append(' ').append(ShellQuote.quote(temps.get(i))));
                sameSize.forEach(i -> sum.append(' ').append(ShellQuote.quote(finals.get(i))));
                CommandResult summed;
                try {
                    summed = shell.exec(target, "verify-checksum", sum.toString(), null);
                } catch (RuntimeException e) {
                    written.forEach(i -> removeRemoteTemp(target, temps.get(i), e));
                    throw e;
                }
                for (String line : summed.stdout().split("\\R")) {
                    if (line.length() > 66 && line.charAt(64) == ' ') {
                        sums.put(line.substring(66), line.substring(0, 64));
                    }
                }
            }
            compare.run();
            if (!written.isEmpty() || !present.isEmpty()) {
                sftp(target, "rename", rename);
            }
        }
        if (!notRenamed.isEmpty()) {
            // A server without posix-rename: mv -f replaces an older copy atomically too.
            StringBuilder mv = new StringBuilder();
            notRenamed.forEach(i -> mv.append("mv -f -- ")
                    .append(ShellQuote.quote(temps.get(i)))
                    .append(' ')
                    .append(ShellQuote.quote(finals.get(i)))
                    .append(" && echo r")
                    .append(i)
                    .append("=renamed || rm -f -- ")
                    .append(ShellQuote.quote(temps.get(i)))
                    .append('\n'));
            String out = shell.exec(target, "rename", mv.toString(), null).stdout();
            for (int i : notRenamed) {
                if ("renamed".equals(value(out, "r" + i))) {
                    renamed.add(i);
                } else {
                    results.put(
                            i,
                            failed(
                                    target,
                                    "rename",
                                    uploads.get(i).accountId(),
                                    "could not be renamed into place",
                                    new IOException("mv failed")));
                }
            }
        }
        for (int i : differing) {
            try {
                results.put(
                        i,
                        new Uploaded(
                                uploads.get(i).accountId(),
                                upload(
                                        target,
                                        uploads.get(i).accountId(),
                                        uploads.get(i).source(),
                                        progress),
                                null));
            } catch (SshException e) {
                results.put(i, new Uploaded(uploads.get(i).accountId(), null, e));
            }
        }
        for (int i : renamed) {
            Sha256.Sum d = digests.get(i);
            results.put(
                    i,
                    new Uploaded(uploads.get(i).accountId(), new RemoteFile(finals.get(i), d.hex(), d.size()), null));
        }
        for (int i : present) {
            Sha256.Sum d = digests.get(i);
            results.put(
                    i,
                    new Uploaded(uploads.get(i).accountId(), new RemoteFile(finals.get(i), d.hex(), d.size()), null));
        }
        log.info(
                "server {}: {} session files uploaded, {} already present, {} failed, in one session",
                target.nodeId(),
                renamed.size(),
                present.size(),
                uploads.size() - renamed.size() - present.size());
        return ordered(results);
    }

    /** Thrown inside an SFTP batch when the sessions directory cannot be created (its parent is missing). */
    private static final class MissingParent extends Exception {
        private static final long serialVersionUID = 1L;

        MissingParent(String path, Throwable cause) {
            super("cannot create " + path + ": " + cause.getMessage(), cause);
        }
    }

    /**
     * The directory exists with mode 0700 afterwards (created if missing); true when it was created now. Made
     * first and looked at only if that fails: a new account's directory costs two round trips, not four.
     */
    private static boolean directory(ChannelSftp channel, String path) throws Exception {
        boolean created = false;
        try {
            channel.mkdir(path);
            created = true;
        } catch (com.jcraft.jsch.SftpException notMade) {
            com.jcraft.jsch.SftpATTRS there;
            try {
                there = channel.stat(path);
            } catch (com.jcraft.jsch.SftpException missing) {
                if (missing.id == ChannelSftp.SSH_FX_NO_SUCH_FILE) {
                    throw new MissingParent(path, notMade);
                }
                throw missing;
            }
            if (!there.isDir()) {
                throw notMade;
            }
        }
        mode(channel, path, 0700);
        return created;
    }

    /** Sets a file's mode in one round trip (JSch's chmod stats the file first). */
    private static void mode(ChannelSftp channel, String path, int mode) throws com.jcraft.jsch.SftpException {
        com.jcraft.jsch.SftpATTRS attrs = new com.jcraft.jsch.SftpATTRS();
        attrs.setPERMISSIONS(mode);
        channel.setStat(path, attrs);
    }

    /** SHA-256 of a remote file as the server returns its bytes; null when it cannot be read (it then fails alone). */
    private static String readBackSha256(ChannelSftp channel, String path) throws Exception {
        MessageDigest md = Sha256.newDigest();
        try (InputStream in = channel.get(path);
                OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), md)) {
            in.transferTo(out);
        } catch (com.jcraft.jsch.SftpException | IOException e) {
            if (!channel.isConnected()) {
                throw e;
            }
            return null;
        }
        return Sha256.hex(md);
    }

    /** Bytes free for a non-root user under the path, or null when the server has no statvfs extension. */
    private static Long availableBytes(ChannelSftp channel, String path) {
        try {
            com.jcraft.jsch.SftpStatVFS vfs = channel.statVFS(path);
            return vfs.getFragmentSize() * vfs.getAvailBlocks();
        } catch (com.jcraft.jsch.SftpException | RuntimeException e) {
            return null;
        }
    }

    private static Uploaded failed(SshTarget target, String step, String accountId, String what, Exception e) {
        return new Uploaded(
                accountId,
                null,
                new SshException(
                        target.nodeId(),
                        step,
                        SshException.Kind.TRANSFER_FAILED,
                        "session file of account " + accountId + " " + what + ": "
                                + SshErrors.firstLine(String.valueOf(e.getMessage())),
                        e));
    }

    private static List<Uploaded> ordered(java.util.Map<Integer, Uploaded> results) {
        return List.copyOf(results.values());
    }

    /**
     * Installs one file of the node's own distribution at {@code <deployDir>/<subdir>/<fileName>}
     * (e.g. lib/worker-node.jar, bin/worker-node, conf/worker-node.properties), with the same
     * guarantees as a session upload: temporary name, SHA-256 check, atomic rename, idempotent.
     */
    public RemoteFile install(
            SshTarget target, String subdir, String fileName, Path local, String dirMode, String fileMode) {
        if (subdir == null
                || !SUBDIR.matcher(subdir).matches()
                || !MODE.matcher(dirMode).matches()
                || !MODE.matcher(fileMode).matches()) {
            throw SshException.invalidInput(
                    target.nodeId(),
                    "install needs a plain sub-directory name and octal modes, got " + subdir + " " + dirMode + " "
                            + fileMode);
        }
        requireLocalFile(target, local);
        String dir = target.deployDir() + "/" + subdir;
        Source source = Source.of(local);
        return put(
                target,
                "install",
                List.of(dir),
                dirMode,
                dir,
                requireFileName(target, fileName),
                source,
                fileMode,
                subdir + "/" + fileName,
                Progress.NONE);
    }

    private static void requireLocalFile(SshTarget target, Path local) {
        if (local == null || !Files.isRegularFile(local)) {
            throw SshException.invalidInput(
                    target.nodeId(),
                    "not a regular file: " + local
                            + " (pack a TDLib database directory as an archive before uploading)");
        }
    }

    private RemoteFile put(
            SshTarget target,
            String step,
            List<String> dirs,
            String dirMode,
            String dir,
            String fileName,
            Source local,
            String fileMode,
            String what,
            Progress progress) {
        Sha256.Sum localDigest = sha256(target, local);
        progress.transferred(0);
        String finalPath = dir + "/" + fileName;
        String tempPath = dir + "/." + fileName + "." + UUID.randomUUID() + ".part";

        // Prepare: create dirs with their modes, sweep temp files of interrupted earlier attempts (only those
        // older than any attempt can run: a younger one may belong to an attempt still writing), report free
        // space and any existing copy.
        StringBuilder prepare = new StringBuilder("umask 077\n");
        for (String d : dirs) {
            prepare.append("mkdir -p ")
                    .append(ShellQuote.quote(d))
                    .append(" && chmod ")
                    .append(dirMode)
                    .append(' ')
                    .append(ShellQuote.quote(d))
                    .append(" || exit 1\n");
        }
        prepare.append("dir=")
                .append(ShellQuote.quote(dir))
                .append('\n')
                .append("f=")
                .append(ShellQuote.quote(finalPath))
                .append('\n')
                .append("find \"$dir\" -maxdepth 1 -type f -name '.")
                .append(fileName)
                .append(".*.part' -mmin +")
                .append(staleTempMinutes())
                .append(" -exec rm -f {} + 2>/dev/null\n")
                .append("echo \"avail_kb=$(df -Pk \"$dir\" | tail -n 1 | awk '{print $4}')\"\n")
                .append(
                        "if [ -f \"$f\" ]; then echo \"existing=$(sha256sum \"$f\" | cut -c1-64) $(wc -c < \"$f\")\"; fi\n");
        CommandResult prepared = shell.execChecked(target, step, prepare.toString(), null);
        String existing = value(prepared.stdout(), "existing");
        if ((localDigest.hex() + " " + localDigest.size()).equals(existing)) {
            shell.execChecked(target, step, "chmod " + fileMode + " " + ShellQuote.quote(finalPath), null);
            log.info("server {}: {} already present with the same SHA-256, upload skipped", target.nodeId(), what);
            return new RemoteFile(finalPath, localDigest.hex(), localDigest.size());
        }
        String avail = value(prepared.stdout(), "avail_kb");
        if (avail != null
                && avail.matches("\\d{1,18}")
                && Long.parseLong(avail) * 1024 < localDigest.size() + FREE_SPACE_MARGIN) {
            throw new SshException(
                    target.nodeId(),
                    step,
                    SshException.Kind.DISK_FULL,
                    "only " + avail + " KiB free under " + dir + ", the file needs " + (localDigest.size() / 1024 + 1)
                            + " KiB plus 1 MiB head-room");
        }

        try {
            int mode = Integer.parseInt(fileMode, 8);
            sftp(target, step, channel -> {
                try (InputStream in = local.open()) {
                    channel.put(in, tempPath, monitor(progress), ChannelSftp.OVERWRITE);
                }
                files.increment();
                channel.chmod(mode, tempPath);
                return null;
            });
            // Verify and rename in one command: one channel and one remote shell fewer per upload.
            String verified = shell.execChecked(
                            target,
                            "verify-checksum",
                            "set -- $(sha256sum -- " + ShellQuote.quote(tempPath)
                                    + ")\n[ -n \"$1\" ] || exit 1\n"
                                    + "if [ \"$1\" = " + localDigest.hex() + " ]; then mv -f -- "
                                    + ShellQuote.quote(tempPath) + " "
                                    + ShellQuote.quote(finalPath) + " && echo renamed; else echo \"differs $1\"; fi",
                            null)
                    .stdout();
            if (!verified.startsWith("renamed")) {
                throw new SshException(
                        target.nodeId(),
                        "verify-checksum",
                        SshException.Kind.TRANSFER_FAILED,
                        "SHA-256 of the uploaded file differs: local " + localDigest.hex() + ", remote "
                                + SshErrors.firstLine(verified).replaceFirst("^differs ", ""));
            }
        } catch (RuntimeException e) {
            removeRemoteTemp(target, tempPath, e);
            if (e instanceof SshException se && se.kind() == SshException.Kind.TRANSFER_FAILED) {
                throw diagnoseDiskFull(target, dir, localDigest.size(), se);
            }
            throw e;
        }
        log.info(
                "server {}: uploaded {} ({} bytes, sha256 {})",
                target.nodeId(),
                what,
                localDigest.size(),
                localDigest.hex());
        return new RemoteFile(finalPath, localDigest.hex(), localDigest.size());
    }

    /**
     * Downloads {@code sessions/<accountId>/<fileName>} to {@code dest}: into a temporary sibling of
     * {@code dest} first, verified against the remote SHA-256, then moved into place atomically.
     */
    public RemoteFile download(SshTarget target, String accountId, String fileName, Path dest) {
        return download(target, accountId, fileName, dest, Progress.NONE);
    }

    /** {@link #download(SshTarget, String, String, Path)}, reporting the bytes received to {@code progress}. */
    public RemoteFile download(SshTarget target, String accountId, String fileName, Path dest, Progress progress) {
        requireAccountId(target, accountId);
        requireFileName(target, fileName);
        Objects.requireNonNull(dest, "dest");
        String remotePath = accountDir(target, accountId) + "/" + fileName;
        CommandResult sum = shell.exec(
                target,
                "download",
                "f=" + ShellQuote.quote(remotePath) + "\n"
                        + "[ -f \"$f\" ] || exit 44\n"
                        + "echo \"$(sha256sum -- \"$f\" | cut -c1-64) $(wc -c < \"$f\")\"",
                null);
        if (sum.exitCode() == 44) {
            throw new SshException(
                    target.nodeId(), "download", SshException.Kind.NOT_FOUND, "no such session file: " + remotePath);
        }
        if (!sum.ok()) {
            throw RemoteShell.failure(target, "download", sum);
        }
        String[] parts = sum.stdout().strip().split(" ");
        if (parts.length != 2 || !parts[0].matches("[0-9a-f]{64}") || !parts[1].matches("\\d{1,18}")) {
            throw new SshException(
                    target.nodeId(),
                    "download",
                    SshException.Kind.COMMAND_FAILED,
                    "unexpected sha256sum output: " + SshErrors.firstLine(sum.stdout()));
        }
        String remoteSha = parts[0];
        long remoteSize = Long.parseLong(parts[1]);

        Path dir = dest.toAbsolutePath().getParent();
        Path temp = dir.resolve("." + dest.getFileName() + "." + UUID.randomUUID() + ".part");
        try {
            Files.createDirectories(dir);
            MessageDigest md = Sha256.newDigest();
            sftp(target, "download", channel -> {
                try (OutputStream out = new DigestOutputStream(Files.newOutputStream(temp), md)) {
                    channel.get(remotePath, out, monitor(progress));
                }
                return null;
            });
            String localSha = Sha256.hex(md);
            if (!localSha.equals(remoteSha)) {
                throw new SshException(
                        target.nodeId(),
                        "verify-checksum",
                        SshException.Kind.TRANSFER_FAILED,
                        "SHA-256 of the downloaded file differs: remote " + remoteSha + ", local " + localSha);
            }
            restrictPermissions(temp);
            AtomicFiles.move(temp, dest);
        } catch (IOException e) {
            removeLocalTemp(target, temp, e);
            throw new SshException(
                    target.nodeId(),
                    "download",
                    SshException.Kind.TRANSFER_FAILED,
                    "cannot write " + dest + ": " + e.getMessage(),
                    e);
        } catch (RuntimeException e) {
            removeLocalTemp(target, temp, e);
            throw e;
        }
        log.info("server {}: downloaded session file of account {} ({} bytes)", target.nodeId(), accountId, remoteSize);
        return new RemoteFile(remotePath, remoteSha, remoteSize);
    }

    /** Removes the account's session directory; returns whether it existed. Deleting a missing one is fine. */
    public boolean delete(SshTarget target, String accountId) {
        String dir = accountDir(target, accountId);
        CommandResult r = shell.execChecked(
                target,
                "delete",
                "dir=" + ShellQuote.quote(dir) + "\n"
                        + "if [ -e \"$dir\" ]; then echo existed=1; fi\n"
                        + "rm -rf -- \"$dir\"",
                null);
        boolean existed = r.stdout().contains("existed=1");
        if (existed) {
            log.info("server {}: deleted session directory of account {}", target.nodeId(), accountId);
        }
        return existed;
    }

    // --- helpers ---------------------------------------------------------------------------

    /**
     * Minutes after which a temporary file can only belong to a dead attempt: an attempt's stream is cut at
     * the transfer timeout, and the commands around it are bounded by the command timeout.
     */
    private long staleTempMinutes() {
        SshSettings settings = pool.settings();
        Duration longest = settings.transferTimeout()
                .plus(settings.connectTimeout())
                .plus(settings.commandTimeout().multipliedBy(4));
        return longest.toMinutes() + 1;
    }

    private static SftpProgressMonitor monitor(Progress progress) {
        return new SftpProgressMonitor() {
            private long total;

            @Override
            public void init(int op, String src, String dest, long max) {}

            @Override
            public boolean count(long count) {
                total += count;
                progress.transferred(total);
                return true;
            }

            @Override
            public void end() {}
        };
    }

    private interface SftpWork<T> {
        T run(ChannelSftp channel) throws Exception;
    }

    /** Runs SFTP work on a pooled session, bounded by the transfer timeout (the channel is closed when it expires). */
    private <T> T sftp(SshTarget target, String step, SftpWork<T> work) {
        return sftp(target, step, pool.settings().transferTimeout(), work);
    }

    private <T> T sftp(SshTarget target, String step, Duration limit, SftpWork<T> work) {
        long began = System.nanoTime();
        try {
            return sftpOnce(target, step, limit, work);
        } finally {
            sftpChannels.increment();
            sftpNanos.add(System.nanoTime() - began);
        }
    }

    private <T> T sftpOnce(SshTarget target, String step, Duration limit, SftpWork<T> work) {
        return pool.withSession(target, step, (Session session) -> {
            ChannelSftp channel = (ChannelSftp) pool.openChannel(session, "sftp");
            pool.connectChannel(channel);
            AtomicBoolean timedOut = new AtomicBoolean();
            ScheduledFuture<?> deadline = TIMER.schedule(
                    () -> {
                        timedOut.set(true);
                        channel.disconnect();
                    },
                    limit.toMillis(),
                    TimeUnit.MILLISECONDS);
            try {
                return work.run(channel);
            } catch (Exception e) {
                if (timedOut.get()) {
                    throw new SshException(
                            target.nodeId(),
                            step,
                            SshException.Kind.TIMEOUT,
                            "transfer did not finish within " + limit.toSeconds() + " s",
                            e);
                }
                if (!session.isConnected() && !(e instanceof SshException)) {
                    throw new SshException(
                            target.nodeId(),
                            step,
                            SshException.Kind.TRANSFER_FAILED,
                            "connection dropped during the transfer (" + SshErrors.firstLine(e.getMessage()) + ")",
                            e);
                }
                throw SshErrors.operationFailure(target, step, e, session.isConnected());
            } finally {
                deadline.cancel(false);
                channel.disconnect();
            }
        });
    }

    /**
     * OpenSSH's sftp-server reports ENOSPC as a bare SSH_FX_FAILURE ("Failure"), so a failed write on a
     * live server is checked against the free space left: DISK_FULL if the file cannot fit, else the original error.
     */
    private SshException diagnoseDiskFull(SshTarget target, String dir, long size, SshException original) {
        try {
            CommandResult df = shell.exec(
                    target,
                    "upload",
                    "df -Pk " + ShellQuote.quote(dir) + " | tail -n 1 | awk '{print $4}'",
                    Duration.ofSeconds(10));
            String avail = df.stdout().strip();
            if (df.ok() && avail.matches("\\d{1,18}") && Long.parseLong(avail) * 1024 < size + FREE_SPACE_MARGIN) {
                return new SshException(
                        target.nodeId(),
                        original.step(),
                        SshException.Kind.DISK_FULL,
                        "the transfer failed and only " + avail + " KiB are free under " + dir + " ("
                                + SshErrors.firstLine(original.getMessage()) + ")",
                        original);
            }
        } catch (SshException e) {
            // The server is unreachable now, so it is a dropped connection, not a full disk.
            log.debug(
                    "server {}: free-space check after a failed upload did not run: {}",
                    target.nodeId(),
                    e.getMessage());
            original.addSuppressed(e);
        }
        return original;
    }

    private void removeRemoteTemp(SshTarget target, String tempPath, RuntimeException cause) {
        try {
            shell.execChecked(target, "cleanup", "rm -f -- " + ShellQuote.quote(tempPath), Duration.ofSeconds(10));
        } catch (SshException cleanup) {
            // The server may be gone (that is often why we are here); the next upload sweeps leftovers.
            log.warn(
                    "server {}: could not remove temporary upload {} after a failed transfer ({}); "
                            + "the next upload of this account removes it",
                    target.nodeId(),
                    tempPath,
                    cleanup.getMessage());
            cause.addSuppressed(cleanup);
        }
    }

    private static void removeLocalTemp(SshTarget target, Path temp, Exception cause) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            log.warn(
                    "server {}: could not remove local temporary download {}: {}",
                    target.nodeId(),
                    temp,
                    e.getMessage());
            cause.addSuppressed(e);
        }
    }

    private static void restrictPermissions(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
    }

    private static Sha256.Sum sha256(SshTarget target, Source file) {
        try {
            return file.digest();
        } catch (IOException e) {
            throw new SshException(
                    target.nodeId(),
                    "upload",
                    SshException.Kind.INVALID_INPUT,
                    "cannot read local file " + file + ": " + e.getMessage(),
                    e);
        }
    }

    private static String value(String output, String key) {
        for (String line : output.split("\\R")) {
            if (line.startsWith(key + "=")) {
                return line.substring(key.length() + 1).strip();
            }
        }
        return null;
    }

    static String requireAccountId(SshTarget target, String accountId) {
        if (accountId == null || !ACCOUNT_ID.matcher(accountId).matches()) {
            throw SshException.invalidInput(
                    target.nodeId(), "invalid accountId (allowed: " + ACCOUNT_ID.pattern() + ")");
        }
        return accountId;
    }

    private static String requireFileName(SshTarget target, String fileName) {
        if (fileName == null || !FILE_NAME.matcher(fileName).matches() || fileName.contains("..")) {
            throw SshException.invalidInput(
                    target.nodeId(),
                    "invalid session file name '" + (fileName == null ? "null" : fileName.replaceAll("\\p{Cntrl}", "?"))
                            + "' (allowed: " + FILE_NAME.pattern() + ")");
        }
        return fileName;
    }
}
