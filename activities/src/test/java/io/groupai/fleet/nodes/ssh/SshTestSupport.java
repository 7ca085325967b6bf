package io.groupai.fleet.nodes.ssh;

import io.groupai.fleet.nodes.sim.EmbeddedSshNode;
import io.groupai.fleet.nodes.ssh.testing.TestKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Shared fixtures: simulated nodes, client key pairs and a fast-failing pool configuration. */
final class SshTestSupport {

    static final String USER = "fleet";
    static final String PASSWORD = "correct horse battery staple";

    static final SshSettings FAST =
            new SshSettings(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), 2);

    private SshTestSupport() {}

    /** An ECDSA client key: private key PEM and its authorized_keys line. */
    record ClientKey(byte[] privatePem, String authorizedKeyLine) {
        SshCredentials credentials() {
            return new SshCredentials.PrivateKey(privatePem, null);
        }
    }

    static ClientKey newClientKey(String comment) {
        TestKeys.ClientKey key = TestKeys.ecdsa(comment);
        return new ClientKey(key.privatePem().getBytes(StandardCharsets.US_ASCII), key.authorizedKeyLine());
    }

    static EmbeddedSshNode startNode(Path baseDir, String nodeId, ClientKey... keys) {
        List<String> lines =
                java.util.Arrays.stream(keys).map(ClientKey::authorizedKeyLine).toList();
        return new EmbeddedSshNode(nodeId, baseDir.resolve(nodeId), 0, USER, PASSWORD, lines).start();
    }

    /** Credentials per node id; password unless a key was registered. */
    static final class Credentials implements CredentialsProvider {
        private final Map<String, SshCredentials> byNode = new ConcurrentHashMap<>();

        Credentials put(String nodeId, SshCredentials creds) {
            byNode.put(nodeId, creds);
            return this;
        }

        @Override
        public SshCredentials credentialsFor(String nodeId) {
            return byNode.getOrDefault(nodeId, SshCredentials.Password.of(PASSWORD));
        }
    }

    /** Writes {@code bin/worker-node}: a stand-in worker that just sleeps. */
    static void installFakeWorker(Path deployDir) {
        try {
            Path bin = Files.createDirectories(deployDir.resolve("bin"));
            Path worker = bin.resolve("worker-node");
            Files.writeString(worker, "#!/bin/sh\nexec sleep 300\n");
            Files.setPosixFilePermissions(worker, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean processAlive(long pid) {
        return ProcessHandle.of(pid).map(ph -> ph.isAlive() && !isZombie(pid)).orElse(false);
    }

    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return false; // gone between the two checks
        }
    }
}
