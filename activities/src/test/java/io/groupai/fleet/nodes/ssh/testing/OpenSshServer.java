package io.groupai.fleet.nodes.ssh.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH {@code sshd} on a free 127.0.0.1 port for tests: its own host key, public-key
 * login for the current user with a key generated here, SFTP, and a deploy directory. Shared with
 * the app's tests through this module's test-jar.
 */
public final class OpenSshServer implements AutoCloseable {

    public static final Path SSHD = Path.of("/usr/sbin/sshd");

    private final Path dir;
    private final Process process;
    private final int port;
    private final String privateKeyPem;

    private OpenSshServer(Path dir, Process process, int port, String privateKeyPem) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.privateKeyPem = privateKeyPem;
    }

    /** Why a real sshd cannot run here, or empty when it can (tests skip with this message). */
    public static Optional<String> unavailable() {
        if (!Files.isExecutable(SSHD)) {
            return Optional.of(
                    "OpenSSH server not installed (/usr/sbin/sshd missing); `apt-get install -y openssh-server` enables this test");
        }
        if (!Files.isExecutable(Path.of("/usr/bin/ssh-keygen"))) {
            return Optional.of("ssh-keygen missing; install openssh-client");
        }
        Path privsep = Path.of("/run/sshd");
        try {
            // sshd refuses to start without its privilege-separation directory
            Files.createDirectories(privsep);
        } catch (IOException e) {
            return Optional.of("cannot create /run/sshd (needed by sshd): " + e.getMessage());
        }
        return Optional.empty();
    }

    public static OpenSshServer start(Path dir) throws IOException, InterruptedException {
        return start(dir, java.util.List.of());
    }

    /** @param extraConfig more sshd_config lines, e.g. {@code SetEnv PATH=...} for the sessions' commands */
    public static OpenSshServer start(Path dir, java.util.List<String> extraConfig)
            throws IOException, InterruptedException {
        Path hostKey = dir.resolve("ssh_host_ecdsa_key");
        run("/usr/bin/ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", hostKey.toString());
        TestKeys.ClientKey client = TestKeys.ecdsa("fleet-test");
        Path authorized = Files.writeString(dir.resolve("authorized_keys"), client.authorizedKeyLine() + "\n");
        int port = freePort();
        Path config = Files.writeString(
                dir.resolve("sshd_config"),
                String.join(
                        "\n",
                        "Port " + port,
                        "ListenAddress 127.0.0.1",
                        "HostKey " + hostKey,
                        "PidFile " + dir.resolve("sshd.pid"),
                        "AuthorizedKeysFile " + authorized,
                        "UsePAM no",
                        "PermitRootLogin yes",
                        "StrictModes no",
                        "PasswordAuthentication no",
                        "KbdInteractiveAuthentication no",
                        "PubkeyAuthentication yes",
                        "Subsystem sftp internal-sftp",
                        "LogLevel ERROR",
                        String.join("\n", extraConfig),
                        ""));
        Process sshd = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("sshd.log").toFile())
                .start();
        OpenSshServer server = new OpenSshServer(dir, sshd, port, client.privatePem());
        server.waitForPort(Duration.ofSeconds(10));
        Files.createDirectories(server.deployDir());
        return server;
    }

    public int port() {
        return port;
    }

    /** The login user: whoever runs the tests. */
    public String user() {
        return System.getProperty("user.name");
    }

    public String privateKeyPem() {
        return privateKeyPem;
    }

    public Path deployDir() {
        return dir.resolve("deploy");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(5, TimeUnit.SECONDS);
    }

    private void waitForPort(Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("sshd exited: " + Files.readString(dir.resolve("sshd.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notListeningYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("sshd did not listen on " + port + " within " + limit);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
