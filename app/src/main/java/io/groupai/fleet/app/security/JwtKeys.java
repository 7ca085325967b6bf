package io.groupai.fleet.app.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HS256 key that signs operator access tokens. Its own key, not the one that encrypts stored SSH
 * secrets: replacing it (deleting the file, or a new GROUPAI_JWT_KEY) signs everyone out and nothing
 * else, while the secrets key cannot change without re-entering every credential. Several app
 * instances behind one address share GROUPAI_JWT_KEY.
 */
final class JwtKeys {

    private static final Logger log = LoggerFactory.getLogger(JwtKeys.class);
    private static final int MIN_BYTES = 32;

    private JwtKeys() {}

    static SecretKey load(SecurityProperties properties) {
        return new SecretKeySpec(bytes(properties), "HmacSHA256");
    }

    private static byte[] bytes(SecurityProperties properties) {
        if (properties.jwtKey() != null && !properties.jwtKey().isBlank()) {
            return checked(decode(properties.jwtKey(), "groupai.security.jwt-key"), "groupai.security.jwt-key");
        }
        Path file = properties.jwtKeyFile();
        try {
            if (Files.exists(file)) {
                return checked(decode(Files.readString(file), file.toString()), file.toString());
            }
            byte[] fresh = new byte[MIN_BYTES];
            new SecureRandom().nextBytes(fresh);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, Base64.getEncoder().encodeToString(fresh));
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                log.warn("cannot restrict permissions of {} on this file system", file);
            }
            log.info("created a new access-token signing key file {}", file);
            return fresh;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the access-token signing key file " + file, e);
        }
    }

    private static byte[] decode(String base64, String source) {
        try {
            return Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(source + " is not base64 (e.g. `openssl rand -base64 32`)");
        }
    }

    private static byte[] checked(byte[] key, String source) {
        if (key.length < MIN_BYTES) {
            throw new IllegalStateException(
                    source + " must be base64 of at least 32 bytes (e.g. `openssl rand -base64 32`)");
        }
        return key;
    }
}
