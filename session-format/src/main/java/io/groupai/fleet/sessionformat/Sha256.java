package io.groupai.fleet.sessionformat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 as lowercase hex, the form every checksum of the fleet takes (and {@code sha256sum} prints). */
public final class Sha256 {

    private Sha256() {}

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Completes the digest (it is reset) and returns it as hex. */
    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    public static String hex(byte[] data) {
        return HexFormat.of().formatHex(newDigest().digest(data));
    }

    public static String hex(Path file) throws IOException {
        return of(file).hex();
    }

    /** Checksum and size of a file, read once. */
    public static Sum of(Path file) throws IOException {
        MessageDigest md = newDigest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            long size = in.transferTo(java.io.OutputStream.nullOutputStream());
            return new Sum(hex(md), size);
        }
    }

    public record Sum(String hex, long size) {}
}
