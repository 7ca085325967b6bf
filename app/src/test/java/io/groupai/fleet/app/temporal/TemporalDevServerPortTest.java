package io.groupai.fleet.app.temporal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the dev server refuses before it launches anything (no temporal CLI needed). */
class TemporalDevServerPortTest {

    @TempDir
    Path dir;

    @Test
    void refusesAPortHeldByAnotherProcess() throws Exception {
        try (ServerSocket other = new ServerSocket()) {
            other.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = other.getLocalPort();
            assertThatThrownBy(() -> TemporalDevServer.start(settings(port)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("127.0.0.1:" + port + " is already taken by another process")
                    .hasMessageContaining("TEMPORAL_ADDRESS=127.0.0.1:" + port)
                    .hasMessageContaining("GROUPAI_TEMPORAL_PORT");
        }
    }

    @Test
    void refusesToStartASecondServerOnTheDatabaseOfOneStillRunning() throws Exception {
        // A live process named temporal, recorded in the pid file, that does not answer on the port.
        Path fake = Files.copy(Path.of("/bin/sleep"), dir.resolve("temporal"));
        Process earlier = new ProcessBuilder(fake.toString(), "60").start();
        try {
            Files.writeString(dir.resolve("temporal.pid"), earlier.pid() + "\n");
            int port;
            try (ServerSocket free = new ServerSocket()) {
                free.bind(new InetSocketAddress("127.0.0.1", 0));
                port = free.getLocalPort();
            }
            assertThatThrownBy(() -> TemporalDevServer.start(settings(port)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("pid " + earlier.pid())
                    .hasMessageContaining("does not answer on 127.0.0.1:" + port);
        } finally {
            earlier.destroyForcibly();
        }
    }

    private TemporalDevServer.Settings settings(int port) {
        return new TemporalDevServer.Settings(
                Path.of("/nonexistent/temporal"), "127.0.0.1", port, 0, dir, "default", Duration.ofSeconds(5));
    }
}
