package io.groupai.fleet.nodes.sim;

import io.groupai.fleet.nodes.ssh.SshTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.file.nativefs.NativeFileSystemFactory;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.server.shell.ProcessShellFactory;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpErrorStatusDataHandler;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.apache.sshd.sftp.server.SftpSubsystemEnvironment;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local simulated node for the demo and tests: an Apache MINA SSHD server on 127.0.0.1 that
 * behaves like a worker server as far as the control plane can tell. Commands really run through
 * {@code /bin/sh -c} on this machine (so probes and pid-file process control are real), SFTP works
 * on the native file system with absolute paths, and the node has its own deploy dir.
 *
 * <p>The host key is generated once into {@code <nodeDir>/ssh_host_ec_key} and kept, so a restarted
 * node presents the same key; {@link #rotateHostKey()} replaces it (the host-key-changed scenario).
 * Several nodes can run in one JVM. This is not a security boundary: anyone who authenticates
 * runs commands as the JVM's user.
 */
public final class EmbeddedSshNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedSshNode.class);

    /**
     * Sends the exception's own message (e.g. "No space left on device") as the SFTP status text,
     * as a verbose server would; MINA's default is a generic "General failure".
     */
    private static final SftpErrorStatusDataHandler VERBOSE_ERRORS = new SftpErrorStatusDataHandler() {
        @Override
        public String resolveErrorMessage(
                SftpSubsystemEnvironment env, int id, Throwable e, int subStatus, int cmd, Object... args) {
            return e.getMessage() != null
                    ? e.getMessage()
                    : SftpErrorStatusDataHandler.super.resolveErrorMessage(env, id, e, subStatus, cmd, args);
        }
    };

    private final String nodeId;
    private final Path nodeDir;
    private final Path deployDir;
    private final String user;
    private final byte[] password;
    private final List<PublicKey> authorizedKeys;
    private volatile SftpFaultHook sftpFaults = SftpFaultHook.NONE;
    private int port;
    private SshServer server;

    /**
     * @param nodeId         node id, also used in log lines
     * @param nodeDir        directory owned by this node: host key and {@code deploy/} live here
     * @param port           port to bind on 127.0.0.1, 0 for a random free one
     * @param user           the only user name accepted
     * @param password       accepted password, or null to disable password login
     * @param authorizedKeys accepted public keys as authorized_keys lines (e.g. "ecdsa-sha2-nistp256 AAAA... comment")
     */
    public EmbeddedSshNode(
            String nodeId, Path nodeDir, int port, String user, String password, List<String> authorizedKeys) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.nodeDir = nodeDir.toAbsolutePath().normalize();
        this.deployDir = this.nodeDir.resolve("deploy");
        this.port = port;
        this.user = Objects.requireNonNull(user, "user");
        this.password = password == null ? null : password.getBytes(StandardCharsets.UTF_8);
        this.authorizedKeys = new ArrayList<>();
        for (String line : authorizedKeys) {
            this.authorizedKeys.add(parseKey(line));
        }
    }

    /**
     * A node with its own fresh temporary directory and a random port, password login only; for the
     * demo. The directory is left in place on close (it holds the deploy dir the demo looks at).
     */
    public static EmbeddedSshNode inTempDirectory(String nodeId, String user, String password) {
        try {
            return new EmbeddedSshNode(
                    nodeId, Files.createTempDirectory("sim-node-" + nodeId + "-"), 0, user, password, List.of());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for simulated node " + nodeId, e);
        }
    }

    /** Creates the node directories and starts listening. */
    public synchronized EmbeddedSshNode start() {
        if (server != null && server.isStarted()) {
            return this;
        }
        try {
            Files.createDirectories(deployDir);
            SshServer s = SshServer.setUpDefaultServer();
            s.setHost("127.0.0.1");
            s.setPort(port);
            CoreModuleProperties.TCP_NODELAY.set(s, true); // as OpenSSH does; Nagle would add ~40 ms per round trip
            SimpleGeneratorHostKeyProvider hostKeys = new SimpleGeneratorHostKeyProvider(hostKeyFile());
            hostKeys.setAlgorithm(KeyUtils.EC_ALGORITHM); // EC keys generate in milliseconds, so 100 nodes start fast
            hostKeys.setKeySize(256);
            s.setKeyPairProvider(hostKeys);
            if (password != null) {
                s.setPasswordAuthenticator((u, p, session) ->
                        user.equals(u) && MessageDigest.isEqual(password, p.getBytes(StandardCharsets.UTF_8)));
            }
            if (!authorizedKeys.isEmpty()) {
                s.setPublickeyAuthenticator((u, key, session) ->
                        user.equals(u) && authorizedKeys.stream().anyMatch(k -> KeyUtils.compareKeys(k, key)));
            }
            s.setKeyboardInteractiveAuthenticator(null);
            // exec requests run through a real shell, exactly like OpenSSH does with the user's shell
            s.setCommandFactory((channel, command) ->
                    new ProcessShellFactory(command, "/bin/sh", "-c", command).createShell(channel));
            s.setFileSystemFactory(new NativeFileSystemFactory());
            SftpSubsystemFactory sftp = new SftpSubsystemFactory.Builder()
                    .withSftpErrorStatusDataHandler(VERBOSE_ERRORS)
                    .build();
            sftp.addSftpEventListener(new FaultListener());
            s.setSubsystemFactories(List.of(sftp));
            s.start();
            port = s.getPort(); // keep the port so that a restart comes back on the same address
            server = s;
            log.info("simulated node {} listening on 127.0.0.1:{}, deploy dir {}", nodeId, port, deployDir);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start simulated node " + nodeId, e);
        }
    }

    /** Stops listening and drops every open connection at once (what a crashed server looks like). */
    public synchronized void stop() {
        if (server != null) {
            try {
                server.stop(true);
            } catch (IOException e) {
                log.warn("simulated node {}: error while stopping: {}", nodeId, e.getMessage());
            }
            server = null;
        }
    }

    /** Replaces the host key with a freshly generated one and restarts on the same port. */
    public synchronized void rotateHostKey() {
        boolean wasRunning = server != null;
        stop();
        try {
            Files.deleteIfExists(hostKeyFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (wasRunning) {
            start();
        }
    }

    /** Installs a fault hook for SFTP reads and writes (tests only); {@link SftpFaultHook#NONE} removes it. */
    public void setSftpFaults(SftpFaultHook hook) {
        this.sftpFaults = Objects.requireNonNull(hook, "hook");
    }

    public boolean isRunning() {
        return server != null && server.isStarted();
    }

    public String nodeId() {
        return nodeId;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    public Path nodeDir() {
        return nodeDir;
    }

    public Path deployDir() {
        return deployDir;
    }

    public Path hostKeyFile() {
        return nodeDir.resolve("ssh_host_ec_key");
    }

    /** The target the control plane uses to reach this node. */
    public SshTarget target() {
        if (port == 0) {
            throw new IllegalStateException("node " + nodeId + " has no port yet; start it first");
        }
        return new SshTarget(nodeId, "127.0.0.1", port, user, deployDir.toString());
    }

    @Override
    public void close() {
        stop();
    }

    private static PublicKey parseKey(String line) {
        try {
            return AuthorizedKeyEntry.parseAuthorizedKeyEntry(line)
                    .resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("not an authorized_keys line: " + e.getMessage(), e);
        }
    }

    /** Routes SFTP opens, reads and writes through the current {@link SftpFaultHook}. */
    private final class FaultListener implements SftpEventListener {
        @Override
        public void opening(ServerSession session, String remoteHandle, Handle localHandle) throws IOException {
            if (localHandle instanceof FileHandle fh && fh.getOpenOptions().contains(StandardOpenOption.WRITE)) {
                sftpFaults.beforeOpenForWrite(fh.getFile());
            }
        }

        @Override
        public void reading(
                ServerSession session,
                String remoteHandle,
                FileHandle localHandle,
                long offset,
                byte[] data,
                int dataOffset,
                int dataLen)
                throws IOException {
            sftpFaults.beforeRead(localHandle.getFile(), offset);
        }

        @Override
        public void writing(
                ServerSession session,
                String remoteHandle,
                FileHandle localHandle,
                long offset,
                byte[] data,
                int dataOffset,
                int dataLen)
                throws IOException {
            sftpFaults.beforeWrite(localHandle.getFile(), offset + dataLen);
        }
    }
}
