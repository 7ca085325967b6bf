package io.groupai.fleet.nodes.ssh.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real OpenSSH sshd for one test class ({@code @RegisterExtension static}): started before its
 * tests in a fresh temporary directory, stopped and removed after them; the class is skipped with
 * the reason where sshd cannot run here.
 */
public final class OpenSshServerExtension implements BeforeAllCallback, AfterAllCallback {

    private Path dir;
    private OpenSshServer server;

    public OpenSshServer server() {
        return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        OpenSshServer.unavailable().ifPresent(why -> Assumptions.assumeTrue(false, why));
        dir = Files.createTempDirectory("openssh-");
        server = OpenSshServer.start(dir);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (server != null) {
            server.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                System.err.println("could not remove " + dir + ": " + e);
            }
        }
    }
}
