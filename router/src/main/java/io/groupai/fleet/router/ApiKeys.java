package io.groupai.fleet.router;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may call the pool: the seed's key file (one key per line, {@code #} comments and blank
 * lines ignored, re-read when it changes) and, inside the app, keys kept in the database (an extra
 * validator). With no key anywhere the pool is open, as the seed's was with an empty key.txt.
 */
public final class ApiKeys {

    /** Keys from somewhere else (the app's database). */
    public interface Source {
        /** Whether any key exists there (if none exists anywhere, no key is required). */
        boolean hasKeys();

        boolean valid(String key);
    }

    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);

    private volatile Path file;
    private volatile FileTime fileStamp;
    private volatile Set<String> fileKeys = Set.of();
    private volatile Source extra;

    public void setExtra(Source extra) {
        this.extra = extra;
    }

    void setFile(Path file) {
        if (!file.equals(this.file)) {
            this.file = file;
            this.fileStamp = null;
            reloadIfChanged();
        }
    }

    /** Called periodically: re-reads the key file when its modification time changed. */
    void reloadIfChanged() {
        Path f = file;
        if (f == null) {
            return;
        }
        try {
            FileTime stamp = Files.exists(f) ? Files.getLastModifiedTime(f) : null;
            if (stamp == null) {
                if (!fileKeys.isEmpty() || fileStamp != null) {
                    log.info("API key file {} is gone: no keys from a file", f);
                }
                fileKeys = Set.of();
                fileStamp = null;
                return;
            }
            if (stamp.equals(fileStamp)) {
                return;
            }
            Set<String> keys = new HashSet<>();
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                String k = line.strip();
                if (!k.isEmpty() && !k.startsWith("#")) {
                    keys.add(k);
                }
            }
            fileKeys = Set.copyOf(keys);
            fileStamp = stamp;
            log.info("API key file {}: {} key(s)", f, keys.size()); // never the keys themselves
        } catch (IOException e) {
            log.warn("cannot read API key file {}: {}", f, e.toString());
        }
    }

    public boolean required() {
        Source x = extra;
        return !fileKeys.isEmpty() || (x != null && x.hasKeys());
    }

    /** Whether {@code key} (the bearer token, may be null) is accepted. */
    public boolean accepts(String key) {
        if (!required()) {
            return true;
        }
        if (key == null || key.isEmpty()) {
            return false;
        }
        for (String k : fileKeys) {
            // Constant time per comparison: the pool must not leak a key's prefix through timing.
            if (MessageDigest.isEqual(k.getBytes(StandardCharsets.UTF_8), key.getBytes(StandardCharsets.UTF_8))) {
                return true;
            }
        }
        Source x = extra;
        return x != null && x.valid(key);
    }
}
