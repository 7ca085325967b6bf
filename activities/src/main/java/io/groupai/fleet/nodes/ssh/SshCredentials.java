package io.groupai.fleet.nodes.ssh;

import java.util.Arrays;
import java.util.Objects;

/**
 * Secret material for one login. Obtained per connect from a {@link CredentialsProvider} and
 * never stored in records, logs or exceptions: {@code toString()} prints only the kind.
 */
public sealed interface SshCredentials {

    /** Password login. The array is copied; callers may wipe theirs. */
    record Password(char[] password) implements SshCredentials {
        public Password {
            Objects.requireNonNull(password, "password");
            password = password.clone();
        }

        public static Password of(String password) {
            return new Password(password.toCharArray());
        }

        @Override
        public char[] password() {
            return password.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Password other && Arrays.equals(password, other.password);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(password);
        }

        @Override
        public String toString() {
            return "Password[***]";
        }
    }

    /**
     * Private-key login. {@code pem} is any key format JSch reads (OpenSSH, PEM, PKCS#8, PuTTY);
     * {@code passphrase} may be null for an unencrypted key.
     */
    record PrivateKey(byte[] pem, byte[] passphrase) implements SshCredentials {
        public PrivateKey {
            Objects.requireNonNull(pem, "pem");
            pem = pem.clone();
            passphrase = passphrase == null ? null : passphrase.clone();
        }

        @Override
        public byte[] pem() {
            return pem.clone();
        }

        @Override
        public byte[] passphrase() {
            return passphrase == null ? null : passphrase.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PrivateKey other
                    && Arrays.equals(pem, other.pem)
                    && Arrays.equals(passphrase, other.passphrase);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(pem);
        }

        @Override
        public String toString() {
            return "PrivateKey[***" + (passphrase == null ? "" : ", passphrase=***") + "]";
        }
    }
}
