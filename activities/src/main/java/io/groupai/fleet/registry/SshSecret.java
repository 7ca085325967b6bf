package io.groupai.fleet.registry;

/**
 * An SSH secret as the operator supplied it. Write-only: stored encrypted, never returned,
 * never logged ({@link #toString()} is redacted).
 */
public sealed interface SshSecret {

    String authType();

    record Password(String password) implements SshSecret {
        @Override
        public String authType() {
            return "password";
        }

        @Override
        public String toString() {
            return "Password[***]";
        }
    }

    record PrivateKey(String pem, String passphrase) implements SshSecret {
        @Override
        public String authType() {
            return "private_key";
        }

        @Override
        public String toString() {
            return "PrivateKey[***]";
        }
    }
}
