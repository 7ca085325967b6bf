package io.groupai.fleet.app.temporal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A port held by something that is not our dev server is refused with a clear message (no CLI needed). */
class TemporalDevServerPortTest {

    @TempDir
    Path dir;

    @Test
    void refusesAPortHeldByAnotherProcess() throws Exception {
        try (ServerSocket other = new ServerSocket()) {
            other.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = other.getLocalPort();
            assertThatThrownBy(() -> TemporalDevServer.start(new TemporalDevServer.Settings(Path.of("/nonexistent/temporal"),
                    "127.0.0.1", port, 0, dir, "default", Duration.ofSeconds(5))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("127.0.0.1:" + port + " is already taken by another process")
                    .hasMessageContaining("TEMPORAL_ADDRESS=127.0.0.1:" + port)
                    .hasMessageContaining("GROUPAI_TEMPORAL_PORT");
        }
    }
}
