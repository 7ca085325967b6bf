package io.groupai.fleet.nodes.ssh;

import java.time.Duration;
import java.util.Objects;

/**
 * Timeouts and pool size of the SSH layer.
 *
 * @param connectTimeout        TCP connect plus SSH handshake and authentication
 * @param commandTimeout        default limit for one remote command
 * @param transferTimeout       limit for one file transfer (upload or download)
 * @param maxSessionsPerServer  open SSH sessions kept per server; callers beyond that wait
 */
public record SshSettings(
        Duration connectTimeout, Duration commandTimeout, Duration transferTimeout, int maxSessionsPerServer) {

    public static final SshSettings DEFAULTS =
            new SshSettings(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(5), 4);

    public SshSettings {
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("commandTimeout", commandTimeout);
        requirePositive("transferTimeout", transferTimeout);
        if (maxSessionsPerServer < 1) {
            throw new IllegalArgumentException("maxSessionsPerServer must be >= 1");
        }
    }

    private static void requirePositive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be positive and below 24 days: " + d);
        }
    }

    public SshSettings withConnectTimeout(Duration d) {
        return new SshSettings(d, commandTimeout, transferTimeout, maxSessionsPerServer);
    }

    public SshSettings withCommandTimeout(Duration d) {
        return new SshSettings(connectTimeout, d, transferTimeout, maxSessionsPerServer);
    }

    public SshSettings withTransferTimeout(Duration d) {
        return new SshSettings(connectTimeout, commandTimeout, d, maxSessionsPerServer);
    }

    public SshSettings withMaxSessionsPerServer(int n) {
        return new SshSettings(connectTimeout, commandTimeout, transferTimeout, n);
    }
}
