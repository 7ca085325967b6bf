package io.groupai.fleet.node.telegram.tdlib;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * Memory per TDLib client: starts N clients (default 100, first argument or -Dbench.clients), each on its
 * own temporary database directory, waits until all reach authorizationStateWaitPhoneNumber and prints the
 * process RSS growth. Offline clients: a logged-in account that syncs chats costs more than this floor.
 * Run: ./mvnw -B -q -pl worker-node -am test-compile exec:java
 * -Dexec.mainClass=io.groupai.fleet.node.telegram.tdlib.TdlibMemoryBench -Dexec.classpathScope=test
 */
public final class TdlibMemoryBench {

    private TdlibMemoryBench() {}

    /** One measurement; RSS in kB. */
    record Result(
            int clients, long rssBeforeKb, long rssAfterKb, long rssAfterGcKb, long timeToReadyMs, long closeAllMs) {

        double perClientMb() {
            return mb(rssAfterGcKb - rssBeforeKb) / clients;
        }

        @Override
        public String toString() {
            return String.format(
                    "clients=%d, rss_before_mb=%.1f, rss_after_mb=%.1f, rss_after_gc_mb=%.1f,"
                            + " per_client_mb=%.2f, time_to_ready_ms=%d, close_all_ms=%d",
                    clients,
                    mb(rssBeforeKb),
                    mb(rssAfterKb),
                    mb(rssAfterGcKb),
                    perClientMb(),
                    timeToReadyMs,
                    closeAllMs);
        }
    }

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : Integer.getInteger("bench.clients", 100);
        // One INFO line per client and state would drown the result.
        if (LoggerFactory.getLogger("io.groupai.fleet.node.telegram.tdlib")
                instanceof ch.qos.logback.classic.Logger logger) {
            logger.setLevel(ch.qos.logback.classic.Level.WARN);
        }
        // The library and the manager are loaded before the baseline: the bench measures clients only.
        TdJson td = TdlibLibrary.load(Optional.empty());
        try (TdlibClientManager manager = new TdlibClientManager(td, TdlibTestSupport.CONFIG.withLogVerbosity(0))) {
            System.out.println(measure(manager, clients));
        }
    }

    /** Starts {@code clients} clients on temporary directories, measures, closes them and deletes the directories. */
    static Result measure(TdlibClientManager manager, int clients) throws Exception {
        Path root = Files.createTempDirectory("tdlib-bench-");
        try {
            settle();
            long before = rssKb();
            long started = System.nanoTime();
            List<TdlibAccount> accounts = new ArrayList<>();
            List<CompletableFuture<String>> ready = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                TdlibAccount account = manager.createAccount(
                        TdlibAccountSpec.of(
                                "bench-" + i, root.resolve("bench-" + i).resolve("td")),
                        null);
                accounts.add(account);
                ready.add(account.awaitAuthorizationState(TdlibAccount.WAIT_PHONE_NUMBER));
            }
            CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
            long timeToReadyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            long after = rssKb();
            settle();
            long afterGc = rssKb();

            long closeStarted = System.nanoTime();
            CompletableFuture.allOf(
                            accounts.stream().map(TdlibAccount::closeAsync).toArray(CompletableFuture[]::new))
                    .get(2, TimeUnit.MINUTES);
            long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStarted);
            return new Result(clients, before, after, afterGc, timeToReadyMs, closeMs);
        } finally {
            deleteTree(root);
        }
    }

    private static void settle() throws InterruptedException {
        System.gc();
        Thread.sleep(1000);
    }

    /** VmRSS of this process, in kB, from /proc/self/status. */
    static long rssKb() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            return lines.filter(l -> l.startsWith("VmRSS:"))
                    .findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")))
                    .orElseThrow(() -> new IllegalStateException("no VmRSS in /proc/self/status"));
        }
    }

    private static double mb(long kb) {
        return kb / 1024.0;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
