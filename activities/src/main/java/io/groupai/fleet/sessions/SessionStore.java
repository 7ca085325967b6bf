package io.groupai.fleet.sessions;

import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import io.groupai.fleet.nodes.ssh.SessionTransfer;
import io.groupai.fleet.registry.SecretCipher;
import io.groupai.fleet.sessionformat.AtomicFiles;
import io.groupai.fleet.sessionformat.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The control plane's copy of each account's session: {@code <dir>/<accountId>/session.zip} (a zipped TDLib
 * database directory), and its backups under {@code <dir>/<accountId>/backups/<backupId>.zip}.
 *
 * <p><b>Encrypted at rest.</b> Every file is Tink's streaming AEAD (AES-256-GCM-HKDF, 4 KiB segments: archives
 * run to 256 MiB, so they stream through in bounded memory), keyed by a key derived from the control-plane
 * secret ({@code groupai.secrets.key}, the key of the stored SSH secrets). A small clear header records the
 * plaintext's SHA-256, its size, when and from where it was stored; the header and the account id are the
 * associated data, so neither can be changed, nor a file moved to another account, without decryption failing.
 * Reading verifies both the AEAD and, at the end, the recorded SHA-256 and size: a damaged or tampered file
 * fails with a {@link SessionIntegrityException} naming the account and the step.
 *
 * <p><b>Plaintext archives</b> stored before encryption existed are encrypted in place at start
 * ({@link #encryptPlaintextArchives()}); until then, and for one put back by hand later, they are still read
 * (as they are, with their checksum computed), and a warning is logged.
 *
 * <p>Files are written through a temporary name and moved into place, so a reader never sees half a session.
 */
@Component
public class SessionStore implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(SessionStore.class);

    public static final String ARCHIVE_NAME = "session.zip";
    public static final String BACKUPS_DIR = "backups";
    private static final Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9_+-]{1,64}");
    /** {@code 20261202T061500123Z-1a2b3c}: sorts by time, safe as a file name and in a URL. */
    public static final Pattern BACKUP_ID = Pattern.compile("[0-9]{8}T[0-9]{9}Z-[0-9a-f]{6}");

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
    private static final byte[] MAGIC = "GAFSESS1".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_HEADER = 4096;
    /** Tink's AES256_GCM_HKDF_4KB: HKDF-SHA256, 32-byte derived keys, 4096-byte ciphertext segments. */
    private static final int SEGMENT = 4096;

    private final Path dir;
    private final AesGcmHkdfStreaming aead;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    @Autowired
    public SessionStore(SessionStoreProperties properties, SecretCipher secrets) {
        this(properties, secrets, Clock.systemUTC());
    }

    public SessionStore(SessionStoreProperties properties, SecretCipher secrets, Clock clock) {
        this.dir = properties.dir().toAbsolutePath().normalize();
        this.clock = clock;
        try {
            this.aead = new AesGcmHkdfStreaming(
                    secrets.derive("groupai-fleet/session-store/aes256-gcm-hkdf-4kb/v1"), "HmacSha256", 32, SEGMENT, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up the session store's encryption", e);
        }
    }

    /**
     * Encrypts the plaintext archives of an older version while the application context starts: before the
     * web server and the Temporal workers run, so nothing writes a session meanwhile.
     */
    @Override
    public void afterPropertiesSet() {
        encryptPlaintextArchives();
    }

    /**
     * A stored archive as its header records it (nothing decrypted).
     *
     * @param backupId  null for the account's current session
     * @param storedAt  when it was stored (a plaintext archive: its file's modification time)
     * @param source    where it came from: upload, export from a server, restore...
     * @param encrypted false for a plaintext archive from before encryption at rest
     */
    public record ArchiveInfo(
            String accountId,
            String backupId,
            String sha256,
            long sizeBytes,
            Instant storedAt,
            String source,
            boolean encrypted) {}

    // --- the current session ---------------------------------------------------------------------

    public boolean has(String accountId) {
        return Files.isRegularFile(currentFile(accountId));
    }

    /** The account's current session as recorded, if there is one. */
    public Optional<ArchiveInfo> info(String accountId) {
        return info(accountId, null, currentFile(accountId));
    }

    /**
     * Encrypts a fully written and validated plaintext file as the account's current session, replacing the
     * previous one atomically, and deletes the plaintext.
     */
    public ArchiveInfo store(String accountId, Path plaintext) {
        return store(accountId, plaintext, "upload");
    }

    public ArchiveInfo store(String accountId, Path plaintext, String source) {
        return write(accountId, null, currentFile(accountId), plaintext, source);
    }

    /** The current session's plaintext, decrypted and verified as it streams (see the class comment). */
    public InputStream open(String accountId, String step) throws IOException {
        return open(accountId, null, currentFile(accountId), step);
    }

    /**
     * What an SFTP upload of the current session sends: named {@value #ARCHIVE_NAME}, with the SHA-256 recorded
     * at store time (which the server checks with {@code sha256sum} before renaming the file into place).
     */
    public Optional<SessionTransfer.Source> transferSource(String accountId, String step) {
        return info(accountId).map(info -> new SessionTransfer.Source() {
            @Override
            public String fileName() {
                return ARCHIVE_NAME;
            }

            @Override
            public Sha256.Sum digest() {
                return new Sha256.Sum(info.sha256(), info.sizeBytes());
            }

            @Override
            public InputStream open() throws IOException {
                return SessionStore.this.open(accountId, step);
            }

            @Override
            public String toString() {
                return "the stored session of account " + accountId;
            }
        });
    }

    /** Writes the current session's verified plaintext to {@code target} (tests, tools). */
    public void copyTo(String accountId, Path target) throws IOException {
        try (InputStream in = open(accountId, "copy")) {
            Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The current session's verified plaintext in memory: for small archives only (tests, the demo). */
    public byte[] readAllBytes(String accountId) throws IOException {
        try (InputStream in = open(accountId, "read")) {
            return in.readAllBytes();
        }
    }

    /** Removes the account's current session (not its backups); true if there was one. */
    public boolean delete(String accountId) {
        try {
            return Files.deleteIfExists(currentFile(accountId));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the stored session of account " + accountId, e);
        }
    }

    // --- backups ----------------------------------------------------------------------------------

    /** Encrypts a fully written, checked plaintext file as a new backup of the account and deletes the plaintext. */
    public ArchiveInfo storeBackup(String accountId, Path plaintext, String source) {
        String backupId = STAMP.format(clock.instant()) + "-" + HexFormat.of().toHexDigits(random.nextInt(1 << 24), 6);
        return write(accountId, backupId, backupFile(accountId, backupId), plaintext, source);
    }

    /** The account's backups, newest first. */
    public List<ArchiveInfo> backups(String accountId) {
        Path backups = accountDir(accountId).resolve(BACKUPS_DIR);
        if (!Files.isDirectory(backups)) {
            return List.of();
        }
        List<ArchiveInfo> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(backups, "*.zip")) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String id = name.substring(0, name.length() - ".zip".length());
                if (BACKUP_ID.matcher(id).matches()) {
                    info(accountId, id, file).ifPresent(out::add);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the backups of account " + accountId, e);
        }
        out.sort(Comparator.comparing(ArchiveInfo::backupId).reversed());
        return out;
    }

    public Optional<ArchiveInfo> backup(String accountId, String backupId) {
        return info(accountId, backupId, backupFile(accountId, backupId));
    }

    /**
     * Makes a backup the account's current session: it is read through and verified first (a damaged backup
     * never replaces a good session), then its file is copied into place; the backup stays.
     */
    public ArchiveInfo restoreBackup(String accountId, String backupId, String step) throws IOException {
        Path file = backupFile(accountId, backupId);
        ArchiveInfo info = info(accountId, backupId, file)
                .orElseThrow(() ->
                        new java.util.NoSuchElementException("account " + accountId + " has no backup " + backupId));
        try (InputStream in = open(accountId, backupId, file, step)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        Path current = currentFile(accountId);
        Path temp = Files.createTempFile(Files.createDirectories(current.getParent()), ".restore-", ".tmp");
        try {
            Files.copy(file, temp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            restrict(temp);
            AtomicFiles.move(temp, current);
        } finally {
            Files.deleteIfExists(temp);
        }
        log.info("account {}: backup {} restored as its current stored session", accountId, backupId);
        return info;
    }

    /** Deletes all but the newest {@code keep} backups of the account; returns the ids deleted. */
    public List<String> pruneBackups(String accountId, int keep) {
        List<ArchiveInfo> all = backups(accountId);
        List<String> deleted = new ArrayList<>();
        for (ArchiveInfo old : all.subList(Math.min(Math.max(keep, 0), all.size()), all.size())) {
            try {
                Files.deleteIfExists(backupFile(accountId, old.backupId()));
                deleted.add(old.backupId());
            } catch (IOException e) {
                log.warn("account {}: could not delete old backup {}: {}", accountId, old.backupId(), e.toString());
            }
        }
        return deleted;
    }

    // --- files ------------------------------------------------------------------------------------

    /** A temporary file in the store's file system (0600), so the final move is atomic. */
    public Path newTempFile() {
        try {
            Path temp = Files.createTempFile(Files.createDirectories(dir), ".upload-", ".tmp");
            restrict(temp);
            return temp;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary file under " + dir, e);
        }
    }

    public Path accountDir(String accountId) {
        if (accountId == null || !ACCOUNT_ID.matcher(accountId).matches()) {
            throw new IllegalArgumentException("invalid account id: " + accountId);
        }
        return dir.resolve(accountId);
    }

    /** The file holding the account's current session (encrypted), whether or not it exists. */
    public Path currentFile(String accountId) {
        return accountDir(accountId).resolve(ARCHIVE_NAME);
    }

    private Path backupFile(String accountId, String backupId) {
        if (backupId == null || !BACKUP_ID.matcher(backupId).matches()) {
            throw new IllegalArgumentException("invalid backup id: " + backupId + " (e.g. 20261202T061500123Z-1a2b3c)");
        }
        return accountDir(accountId).resolve(BACKUPS_DIR).resolve(backupId + ".zip");
    }

    /**
     * Encrypts every plaintext archive (current sessions stored before encryption at rest) in place, keeping
     * its modification time as its stored time; returns how many. Run at start; safe to run again.
     */
    public int encryptPlaintextArchives() {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int done = 0;
        try (DirectoryStream<Path> accounts = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path accountDir : accounts) {
                String accountId = accountDir.getFileName().toString();
                Path file = accountDir.resolve(ARCHIVE_NAME);
                if (!ACCOUNT_ID.matcher(accountId).matches() || !Files.isRegularFile(file) || header(file) != null) {
                    continue;
                }
                FileTime modified = Files.getLastModifiedTime(file);
                Path plain = newTempFile();
                Files.copy(file, plain, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                write(accountId, null, file, plain, "plaintext archive encrypted at start", modified.toInstant());
                Files.setLastModifiedTime(file, modified);
                done++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encrypt the plaintext session archives under " + dir, e);
        }
        if (done > 0) {
            log.info("encrypted {} plaintext session archives stored before encryption at rest", done);
        }
        return done;
    }

    // --- format -----------------------------------------------------------------------------------

    private ArchiveInfo write(String accountId, String backupId, Path target, Path plaintext, String source) {
        return write(accountId, backupId, target, plaintext, source, clock.instant());
    }

    private ArchiveInfo write(
            String accountId, String backupId, Path target, Path plaintext, String source, Instant storedAt) {
        Path temp = null;
        try {
            Sha256.Sum sum = Sha256.of(plaintext);
            ArchiveInfo info = new ArchiveInfo(
                    accountId,
                    backupId,
                    sum.hex(),
                    sum.size(),
                    storedAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
                    clean(source),
                    true);
            byte[] header = headerBytes(info);
            Files.createDirectories(target.getParent());
            temp = Files.createTempFile(target.getParent(), ".store-", ".tmp");
            restrict(temp);
            try (OutputStream file = Files.newOutputStream(temp)) {
                file.write(MAGIC);
                file.write(header.length >>> 8);
                file.write(header.length & 0xff);
                file.write(header);
                try (OutputStream sealed = aead.newEncryptingStream(nonClosing(file), aad(accountId, header));
                        InputStream in = Files.newInputStream(plaintext)) {
                    in.transferTo(sealed);
                }
            }
            AtomicFiles.move(temp, target);
            restrict(target);
            Files.deleteIfExists(plaintext);
            return info;
        } catch (IOException | GeneralSecurityException e) {
            throw new UncheckedIOException(
                    "cannot store the session of account " + accountId,
                    e instanceof IOException io ? io : new IOException(e));
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    log.warn("could not remove temporary file {}: {}", temp, e.toString());
                }
            }
        }
    }

    private InputStream open(String accountId, String backupId, Path file, String step) throws IOException {
        String what = backupId == null ? "session" : "session backup " + backupId;
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(
                    file.toString(), null, "account " + accountId + " has no stored " + what);
        }
        InputStream raw = Files.newInputStream(file);
        try {
            Header header = readHeader(raw);
            if (header == null) {
                raw.close();
                log.warn(
                        "account {}: the stored {} is a plaintext archive from before encryption at rest; "
                                + "it is encrypted at the next start",
                        accountId,
                        what);
                return Files.newInputStream(file);
            }
            InputStream plain;
            try {
                plain = aead.newDecryptingStream(raw, aad(accountId, header.bytes()));
            } catch (GeneralSecurityException | IOException e) {
                throw new SessionIntegrityException(accountId, what, step, "it does not decrypt", e);
            }
            return new Verifying(plain, accountId, what, step, header.info(accountId, backupId));
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private Optional<ArchiveInfo> info(String accountId, String backupId, Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            Header header = header(file);
            if (header != null) {
                return Optional.of(header.info(accountId, backupId));
            }
            Sha256.Sum sum = Sha256.of(file);
            return Optional.of(new ArchiveInfo(
                    accountId,
                    backupId,
                    sum.hex(),
                    sum.size(),
                    Files.getLastModifiedTime(file).toInstant(),
                    "plaintext archive",
                    false));
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty(); // replaced or pruned meanwhile
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the stored session of account " + accountId, e);
        }
    }

    private static Header header(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return readHeader(in);
        }
    }

    /** The header of an encrypted archive, or null for a plaintext one (no magic). */
    private static Header readHeader(InputStream in) throws IOException {
        byte[] magic = in.readNBytes(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            return null;
        }
        DataInputStream data = new DataInputStream(in);
        int length;
        byte[] bytes;
        try {
            length = data.readUnsignedShort();
            if (length > MAX_HEADER) {
                throw new IOException("the stored session's header is " + length + " bytes long");
            }
            bytes = data.readNBytes(length);
            if (bytes.length != length) {
                throw new EOFException("the stored session's header is cut short");
            }
        } catch (EOFException e) {
            throw new IOException("the stored session's header is cut short", e);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        try {
            return new Header(
                    bytes,
                    fields.get("sha256"),
                    Long.parseLong(fields.get("size")),
                    Instant.ofEpochMilli(Long.parseLong(fields.get("stored_at"))),
                    fields.getOrDefault("source", ""));
        } catch (RuntimeException e) {
            throw new IOException("the stored session's header is not readable", e);
        }
    }

    private record Header(byte[] bytes, String sha256, long size, Instant storedAt, String source) {
        ArchiveInfo info(String accountId, String backupId) {
            return new ArchiveInfo(accountId, backupId, sha256, size, storedAt, source, true);
        }
    }

    private static byte[] headerBytes(ArchiveInfo info) {
        return ("sha256=" + info.sha256() + "\nsize=" + info.sizeBytes() + "\nstored_at="
                        + info.storedAt().toEpochMilli() + "\nsource=" + info.source() + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Binds the ciphertext to its account and its header (checksum, size, time, source). */
    private static byte[] aad(String accountId, byte[] header) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("groupai-fleet session archive v1\n".getBytes(StandardCharsets.UTF_8));
        out.writeBytes((accountId + "\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(header);
        return out.toByteArray();
    }

    private static String clean(String source) {
        String s = source == null ? "" : source.replaceAll("[\\p{Cntrl}=]", " ");
        return s.length() > 200 ? s.substring(0, 200) : s;
    }

    private static void restrict(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
    }

    private static OutputStream nonClosing(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    /**
     * The decrypted plaintext, checked as it goes: Tink authenticates every 4 KiB segment and the end of the
     * stream; at the end, the plaintext's SHA-256 and size must be the ones recorded at store time.
     */
    private static final class Verifying extends FilterInputStream {
        private final MessageDigest digest = Sha256.newDigest();
        private final String accountId;
        private final String what;
        private final String step;
        private final ArchiveInfo expected;
        private long count;
        private boolean verified;

        Verifying(InputStream in, String accountId, String what, String step, ArchiveInfo expected) {
            super(in);
            this.accountId = accountId;
            this.what = what;
            this.step = step;
            this.expected = expected;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (SessionIntegrityException e) {
                throw e;
            } catch (IOException e) {
                throw new SessionIntegrityException(accountId, what, step, "it does not decrypt", e);
            }
            if (n < 0) {
                verifyEnd();
            } else {
                digest.update(b, off, n);
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buffer = new byte[(int) Math.min(8192, Math.max(n, 1))];
            long skipped = 0;
            while (skipped < n) {
                int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        private void verifyEnd() throws IOException {
            if (verified) {
                return;
            }
            String sha = Sha256.hex(digest);
            if (count != expected.sizeBytes() || !sha.equals(expected.sha256())) {
                throw new SessionIntegrityException(
                        accountId,
                        what,
                        step,
                        "its plaintext (" + count + " bytes, sha256 " + sha + ") is not the one recorded ("
                                + expected.sizeBytes() + " bytes, sha256 " + expected.sha256() + ")",
                        null);
            }
            verified = true;
        }
    }
}
