package io.groupai.fleet.nodes.ssh;

import io.groupai.fleet.sessionformat.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A server's public host key as it appears in known_hosts: type (e.g. {@code ssh-ed25519})
 * and the base64 of the SSH key blob.
 */
public record PinnedHostKey(String type, String base64) {

    public PinnedHostKey {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(base64, "base64");
        Base64.getDecoder().decode(base64); // fail fast on garbage
    }

    /** Builds the record from a raw SSH public-key blob, reading the type from the blob itself. */
    public static PinnedHostKey fromBlob(byte[] blob) {
        if (blob.length < 4) {
            throw new IllegalArgumentException("host key blob too short");
        }
        int len = ((blob[0] & 0xff) << 24) | ((blob[1] & 0xff) << 16) | ((blob[2] & 0xff) << 8) | (blob[3] & 0xff);
        if (len <= 0 || len > blob.length - 4) {
            throw new IllegalArgumentException("host key blob has no type name");
        }
        String type = new String(blob, 4, len, StandardCharsets.US_ASCII);
        return new PinnedHostKey(type, Base64.getEncoder().encodeToString(blob));
    }

    public byte[] blob() {
        return Base64.getDecoder().decode(base64);
    }

    /** The fingerprint as {@code ssh-keygen -lf} and the OpenSSH client print it: {@code SHA256:<base64, no padding>}. */
    public String fingerprint() {
        return "SHA256:"
                + Base64.getEncoder()
                        .withoutPadding()
                        .encodeToString(Sha256.newDigest().digest(blob()));
    }

    /** One known_hosts style line without host: {@code <type> <base64>}. */
    public String toOpenSshString() {
        return type + " " + base64;
    }

    @Override
    public String toString() {
        return type + " " + fingerprint();
    }
}
