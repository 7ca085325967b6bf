package io.groupai.fleet.node.sessions;

import io.groupai.fleet.node.NodeOperationException;
import io.groupai.fleet.sessionformat.AtomicFiles;
import io.groupai.fleet.sessionformat.ForeignSession;
import io.groupai.fleet.sessionformat.ForeignSessions;
import io.groupai.fleet.sessionformat.SessionArchives;
import io.groupai.fleet.sessionformat.Sha256;
import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.agent.ExportedSession;
import io.groupai.fleet.workflows.agent.SessionInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Account sessions on the node.
 *
 * <pre>
 * sessions/&lt;accountId&gt;/session.zip     uploaded by the control plane (SFTP or upload_session command)
 * sessions/&lt;accountId&gt;/td/             the unpacked TDLib database directory the runtime uses
 * sessions/&lt;accountId&gt;/installed.sha256 checksum of the archive td/ came from
 * exports/&lt;accountId&gt;-&lt;timestamp&gt;.zip   packed by exportSession for migration and backup
 * </pre>
 *
 * <p>An archive is accepted only if it is a TDLib database directory: a file {@code td.binlog}
 * (or {@code td_test.binlog}, test DC) at its root or in {@code db/}. It is checked whole before
 * anything is written (zip-slip: {@code ..}, absolute or drive paths, backslashes; symbolic links;
 * declared size over the limit), then unpacked into a temp directory beside {@code td/}, counting
 * the bytes really written, and renamed into place. A rejected archive leaves the node as it was.
 * The consumed {@code session.zip} is deleted after a successful install, so a later call finds
 * nothing pending and changes nothing.
 */
public final class SessionStore {

    private static final Logger log = LoggerFactory.getLogger(SessionStore.class);
    public static final String UPLOAD = "session.zip";
    public static final String DATABASE_DIR = "td";
    private static final String MARKER = "installed.sha256";
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** The tail of an export's name, as {@link #export} writes it: {@code <timestamp>.zip}. */
    private static final java.util.regex.Pattern EXPORT_NAME = java.util.regex.Pattern.compile("\\d{8}T\\d{9}Z\\.zip");

    private final Path deployDir;
    private final Path sessionsDir;
    private final Path exportsDir;
    private final long maxUnpackedBytes;
    private final Clock clock;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    public SessionStore(Path deployDir, long maxUnpackedBytes, Clock clock) {
        this.deployDir = deployDir;
        this.sessionsDir = deployDir.resolve("sessions");
        this.exportsDir = deployDir.resolve("exports");
        this.maxUnpackedBytes = maxUnpackedBytes;
        this.clock = clock;
    }

    public Path accountDir(String accountId) {
        return sessionsDir.resolve(accountId);
    }

    public Path databaseDir(String accountId) {
        return accountDir(accountId).resolve(DATABASE_DIR);
    }

    public boolean uploadPending(String accountId) {
        return Files.isRegularFile(accountDir(accountId).resolve(UPLOAD));
    }

    public boolean installed(String accountId) {
        return Files.isDirectory(databaseDir(accountId), LinkOption.NOFOLLOW_LINKS);
    }

    /** For the heartbeat's {@code session_file}: path relative to the deploy dir, or null. */
    public String relativeSessionPath(String accountId) {
        return installed(accountId)
                ? deployDir.relativize(databaseDir(accountId)).toString()
                : null;
    }

    private Object lock(String accountId) {
        return locks.computeIfAbsent(accountId, k -> new Object());
    }

    /**
     * Installs the uploaded archive; with nothing uploaded but a session installed, describes it
     * (idempotent). {@code replaceAllowed} is false while the account runs: TDLib holds the
     * directory open, so it cannot be swapped underneath.
     */
    public SessionInfo install(String accountId, boolean replaceAllowed) {
        String step = "install-session";
        synchronized (lock(accountId)) {
            Path dir = accountDir(accountId);
            Path upload = dir.resolve(UPLOAD);
            try {
                if (!Files.isRegularFile(upload)) {
                    if (installed(accountId)) {
                        return describe(accountId);
                    }
                    throw NodeOperationException.rejected(
                            step,
                            accountId,
                            FailureTypes.SESSION_MISSING,
                            "no session uploaded (expected " + deployDir.relativize(upload) + ")");
                }
                String sha = Sha256.hex(upload);
                Optional<ForeignSession> foreign = ForeignSessions.detect(upload);
                if (foreign.isPresent()) {
                    throw foreign(accountId, foreign.get(), "the uploaded file");
                }
                SessionArchives.Contents contents = validate(accountId, upload);
                if (installed(accountId) && !replaceAllowed) {
                    throw NodeOperationException.rejected(
                            step,
                            accountId,
                            FailureTypes.ACCOUNT_RUNNING,
                            "a new session was uploaded but the account is running; stop it first");
                }
                long size = unpack(accountId, upload);
                Files.writeString(dir.resolve(MARKER), sha);
                Files.delete(upload);
                log.info(
                        "account {}: TDLib session installed ({} files, {} bytes unpacked)",
                        accountId,
                        contents.entries(),
                        size);
                return new SessionInfo(accountId, "tdlib", null, null, size, sha);
            } catch (IOException e) {
                throw NodeOperationException.transientFailure(
                        step, accountId, "cannot install the session: " + e.getMessage(), e);
            }
        }
    }

    private SessionInfo describe(String accountId) throws IOException {
        Path marker = accountDir(accountId).resolve(MARKER);
        String sha = Files.isRegularFile(marker) ? Files.readString(marker).strip() : null;
        return new SessionInfo(accountId, "tdlib", null, null, treeSize(databaseDir(accountId)), sha);
    }

    private SessionArchives.Contents validate(String accountId, Path upload) throws IOException {
        String step = "install-session";
        try {
            return SessionArchives.check(upload, maxUnpackedBytes);
        } catch (SessionArchives.InvalidArchiveException e) {
            String entry = "archive entry '" + e.entry() + "' ";
            throw switch (e.problem()) {
                case NOT_A_ZIP ->
                    NodeOperationException.rejected(
                            step,
                            accountId,
                            FailureTypes.INVALID_SESSION_ARCHIVE,
                            "the uploaded session is not a valid zip archive: " + e.reason());
                case TOO_MANY_ENTRIES ->
                    NodeOperationException.rejected(
                            step,
                            accountId,
                            FailureTypes.INVALID_SESSION_ARCHIVE,
                            "the archive holds more than " + SessionArchives.MAX_ENTRIES
                                    + " entries; nothing was written");
                case UNSAFE_ENTRY ->
                    NodeOperationException.rejected(
                            step,
                            accountId,
                            FailureTypes.UNSAFE_SESSION_ARCHIVE,
                            entry + e.reason() + " (zip-slip); nothing was written");
                case SYMLINK ->
                    NodeOperationException.rejected(
                            step,
                            accountId,
                            FailureTypes.UNSAFE_SESSION_ARCHIVE,
                            entry + "is a symbolic link; nothing was written");
                case DUPLICATE_ENTRY ->
                    NodeOperationException.rejected(
                            step,
                            accountId,
                            FailureTypes.UNSAFE_SESSION_ARCHIVE,
                            entry + "appears twice; nothing was written");
                case TOO_LARGE -> tooLarge(accountId, e.bytes());
                case FOREIGN_SESSION -> foreign(accountId, e.foreign(), entry.strip());
                case EMPTY, NOT_TDLIB ->
                    NodeOperationException.rejected(
                            step,
                            accountId,
                            FailureTypes.NOT_TDLIB_SESSION,
                            "the archive is not a TDLib database directory (no td.binlog at its root or in db/); nothing was written");
            };
        }
    }

    private NodeOperationException tooLarge(String accountId, long bytes) {
        return NodeOperationException.rejected(
                "install-session",
                accountId,
                FailureTypes.SESSION_ARCHIVE_TOO_LARGE,
                "the archive unpacks to more than the limit of " + maxUnpackedBytes + " bytes (" + bytes
                        + "+); nothing was written");
    }

    private static NodeOperationException foreign(String accountId, ForeignSession s, String where) {
        return NodeOperationException.rejected(
                "install-session",
                accountId,
                FailureTypes.FOREIGN_SESSION_FORMAT,
                s.explanation(where) + ". Nothing was written.");
    }

    private long unpack(String accountId, Path upload) throws IOException {
        Path dir = accountDir(accountId);
        Path tmp = Files.createTempDirectory(dir, ".td-unpack-");
        boolean done = false;
        try {
            long total = 0;
            try (ZipFile zip = new ZipFile(upload.toFile())) {
                for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                    // Checked already (SessionArchives); this guard only keeps the write itself inside tmp.
                    Path target = tmp.resolve(SessionArchives.withoutDotSlash(e.getName()))
                            .normalize();
                    if (!target.startsWith(tmp)) {
                        throw NodeOperationException.rejected(
                                "install-session",
                                accountId,
                                FailureTypes.UNSAFE_SESSION_ARCHIVE,
                                "archive entry '" + SessionArchives.printable(e.getName())
                                        + "' escapes the session directory; nothing was written");
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(target);
                        continue;
                    }
                    Files.createDirectories(target.getParent());
                    try (InputStream in = zip.getInputStream(e);
                            OutputStream out = Files.newOutputStream(target)) {
                        byte[] buf = new byte[64 * 1024];
                        for (int n; (n = in.read(buf)) > 0; ) {
                            total += n;
                            // Declared sizes can lie (zip bombs): count what is really written.
                            if (total > maxUnpackedBytes) {
                                throw tooLarge(accountId, total);
                            }
                            out.write(buf, 0, n);
                        }
                    }
                }
            }
            Path td = databaseDir(accountId);
            Path old = null;
            if (Files.exists(td, LinkOption.NOFOLLOW_LINKS)) {
                old = dir.resolve(".td-old-" + System.nanoTime());
                AtomicFiles.move(td, old);
            }
            AtomicFiles.move(tmp, td);
            done = true;
            if (old != null) {
                deleteTree(old);
            }
            return total;
        } finally {
            if (!done) {
                deleteTree(tmp);
            }
        }
    }

    /** Removes the account's whole session directory (upload, td/, marker). Idempotent. */
    public void remove(String accountId) {
        synchronized (lock(accountId)) {
            try {
                deleteTree(accountDir(accountId));
                log.info("account {}: session removed", accountId);
            } catch (IOException e) {
                throw NodeOperationException.transientFailure(
                        "remove-session", accountId, "cannot remove the session: " + e.getMessage(), e);
            }
        }
    }

    /** Packs td/ into {@code exports/<accountId>-<timestamp>.zip} (temp file, then rename). */
    public ExportedSession export(String accountId) {
        String step = "export-session";
        synchronized (lock(accountId)) {
            Path td = databaseDir(accountId);
            if (!installed(accountId)) {
                throw NodeOperationException.rejected(
                        step, accountId, FailureTypes.SESSION_MISSING, "no installed session to export");
            }
            try {
                Files.createDirectories(exportsDir);
                Path target = exportsDir.resolve(accountId + "-" + STAMP.format(clock.instant()) + ".zip");
                Path tmp = Files.createTempFile(exportsDir, ".export-", ".tmp");
                try {
                    MessageDigest md = Sha256.newDigest();
                    try (OutputStream raw = Files.newOutputStream(tmp);
                            DigestOutputStream digest = new DigestOutputStream(raw, md);
                            ZipOutputStream zip = new ZipOutputStream(digest)) {
                        List<Path> files;
                        try (Stream<Path> walk = Files.walk(td)) {
                            files = walk.sorted().toList();
                        }
                        for (Path p : files) {
                            if (p.equals(td)) {
                                continue;
                            }
                            String name = td.relativize(p).toString().replace('\\', '/');
                            if (Files.isSymbolicLink(p)) {
                                continue; // never exported: TDLib does not create links, and a link could point
                                // anywhere
                            }
                            if (Files.isDirectory(p)) {
                                zip.putNextEntry(new ZipEntry(name + "/"));
                                zip.closeEntry();
                            } else {
                                zip.putNextEntry(new ZipEntry(name));
                                Files.copy(p, zip);
                                zip.closeEntry();
                            }
                        }
                    }
                    AtomicFiles.move(tmp, target);
                    long size = Files.size(target);
                    String sha = Sha256.hex(md);
                    log.info(
                            "account {}: session exported to {} ({} bytes)",
                            accountId,
                            deployDir.relativize(target),
                            size);
                    return new ExportedSession(
                            accountId, target.toAbsolutePath().toString(), size, sha);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException e) {
                throw NodeOperationException.transientFailure(
                        step, accountId, "cannot export the session: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Deletes an archive {@link #export} wrote for the account: {@code exportPath} must name a file
     * {@code <accountId>-<timestamp>.zip} directly in {@code exports/} (after normalising, so {@code ..}
     * cannot lead out of it, and another account's export is refused). A missing file is not an error.
     *
     * @throws IllegalArgumentException for any other path; nothing is deleted then
     */
    public void deleteExport(String accountId, String exportPath) {
        if (exportPath == null || exportPath.isBlank()) {
            throw new IllegalArgumentException("export path is required");
        }
        Path dir = exportsDir.toAbsolutePath().normalize();
        Path file;
        try {
            file = dir.resolve(exportPath).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException("export path is not a valid path");
        }
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        if (!dir.equals(file.getParent())
                || !name.startsWith(accountId + "-")
                || !EXPORT_NAME.matcher(name.substring(accountId.length() + 1)).matches()) {
            throw new IllegalArgumentException("refusing to delete '" + SessionArchives.printable(exportPath)
                    + "': only an export of account " + accountId + " directly in " + deployDir.relativize(exportsDir)
                    + "/ (" + accountId + "-<timestamp>.zip) is deleted");
        }
        synchronized (lock(accountId)) {
            try {
                if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IllegalArgumentException("refusing to delete a directory: " + name);
                }
                if (Files.deleteIfExists(file)) {
                    log.info("account {}: export {} deleted", accountId, deployDir.relativize(file));
                }
            } catch (IOException e) {
                throw NodeOperationException.transientFailure(
                        "discard-migrated-session", accountId, "cannot delete the export: " + e.getMessage(), e);
            }
        }
    }

    /** Account ids that have a session directory on disk (for listing after a restart). */
    public List<String> accountsOnDisk() {
        if (!Files.isDirectory(sessionsDir)) {
            return List.of();
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(sessionsDir)) {
            List<String> ids = new java.util.ArrayList<>();
            for (Path p : ds) {
                if (Files.isDirectory(p) && !p.getFileName().toString().startsWith(".")) {
                    ids.add(p.getFileName().toString());
                }
            }
            return ids;
        } catch (IOException e) {
            log.warn("cannot list {}: {}", sessionsDir, e.getMessage());
            return List.of();
        }
    }

    private static long treeSize(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            long total = 0;
            for (Path p : walk.toList()) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    total += Files.size(p);
                }
            }
            return total;
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
