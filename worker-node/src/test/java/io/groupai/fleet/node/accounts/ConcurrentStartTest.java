package io.groupai.fleet.node.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.node.ControlPlaneHttp;
import io.groupai.fleet.node.NodeAgentActivitiesImpl;
import io.groupai.fleet.node.scripts.ScriptStore;
import io.groupai.fleet.node.sessions.SessionStore;
import io.groupai.fleet.node.telegram.TelegramAccountState;
import io.groupai.fleet.node.telegram.TelegramException;
import io.groupai.fleet.node.telegram.TelegramListener;
import io.groupai.fleet.node.telegram.TelegramRuntime;
import io.groupai.fleet.workflows.agent.StartAccountRequest;
import io.groupai.fleet.workflows.agent.StartedAccount;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The starts of one batch run concurrently on the node (bounded), each account failing alone, and a fence
 * (stopAll) still stops what was starting. The runtime blocks every start until the test releases it, so the
 * tests see which starts are in flight together; nothing here depends on timing.
 */
class ConcurrentStartTest {

    @TempDir
    Path deployDir;

    /** Blocks each start until {@link #release} opens; counts the starts in flight; refuses the accounts in {@link #refused}. */
    static final class BlockingRuntime implements TelegramRuntime {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final Set<String> refused = ConcurrentHashMap.newKeySet();
        final List<String> stopped = new CopyOnWriteArrayList<>();
        /** When set, each stop waits (like a goodbye to an unreachable network) until it opens. */
        volatile CountDownLatch stopRelease;

        final AtomicInteger stopsInFlight = new AtomicInteger();

        @Override
        public String name() {
            return "blocking";
        }

        @Override
        public TelegramAccountState start(
                String accountId, Path databaseDirectory, String databaseKey, TelegramListener listener)
                throws TelegramException {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                // Bounded so that a broken (serial) runner fails the test instead of hanging it.
                if (!release.await(60, TimeUnit.SECONDS)) {
                    throw new TelegramException(TelegramException.Kind.NETWORK, "never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TelegramException(TelegramException.Kind.NETWORK, "interrupted");
            } finally {
                inFlight.decrementAndGet();
            }
            if (refused.contains(accountId)) {
                throw new TelegramException(TelegramException.Kind.REJECTED, "refused " + accountId + " (test)");
            }
            return TelegramAccountState.ONLINE;
        }

        @Override
        public void stop(String accountId) {
            CountDownLatch gate = stopRelease;
            if (gate != null) {
                stopsInFlight.incrementAndGet();
                try {
                    gate.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    stopsInFlight.decrementAndGet();
                }
            }
            stopped.add(accountId);
        }

        @Override
        public long sendMessage(String accountId, long chatId, String text) {
            return 0;
        }

        @Override
        public void close() {}
    }

    final BlockingRuntime runtime = new BlockingRuntime();

    @AfterEach
    void releaseAll() {
        runtime.release.countDown();
    }

    private AccountRunner runner(int parallelism) {
        ControlPlaneHttp http = new ControlPlaneHttp(URI.create("http://127.0.0.1:9"), "t");
        return new AccountRunner(
                runtime,
                new SessionStore(deployDir, 1 << 20, Clock.systemUTC()),
                new ScriptStore(deployDir.resolve("scripts"), http),
                Clock.systemUTC(),
                io.groupai.fleet.node.scripts.DialogueServices.standalone(),
                parallelism);
    }

    private NodeAgentActivitiesImpl activities(AccountRunner runner) {
        ControlPlaneHttp http = new ControlPlaneHttp(URI.create("http://127.0.0.1:9"), "t");
        return new NodeAgentActivitiesImpl(
                "test-node",
                "dev",
                runtime,
                runner,
                new SessionStore(deployDir, 1 << 20, Clock.systemUTC()),
                new ScriptStore(deployDir.resolve("scripts"), http),
                http,
                1 << 20);
    }

    private static List<StartAccountRequest> batch(String... ids) {
        return Stream.of(ids).map(id -> new StartAccountRequest(id, null)).toList();
    }

    @Test
    void aBatchsStartsAreInFlightTogetherAndOneFailureLeavesTheOthersStarted() throws Exception {
        AccountRunner runner = runner(8);
        runtime.refused.add("acc-bad");
        CompletableFuture<List<StartedAccount>> result = CompletableFuture.supplyAsync(
                () -> activities(runner).startAccounts(batch("acc-a", "acc-b", "acc-bad", "acc-c")));

        // Every start of the batch is blocked in the runtime at the same time: one by one, only the first would be.
        await(() -> runtime.inFlight.get() == 4, "all 4 starts of the batch in flight at once");
        runtime.release.countDown();

        List<StartedAccount> out = result.get(60, TimeUnit.SECONDS);
        assertThat(out).extracting(StartedAccount::accountId).containsExactly("acc-a", "acc-b", "acc-bad", "acc-c");
        assertThat(out).filteredOn(s -> !s.accountId().equals("acc-bad")).allSatisfy(s -> {
            assertThat(s.failure()).isNull();
            assertThat(s.state().status()).isEqualTo("online");
        });
        assertThat(out.get(2).state()).isNull();
        assertThat(out.get(2).failure()).contains("acc-bad", "start-account", "refused acc-bad");
        assertThat(runner.isRunning("acc-a")).isTrue();
        assertThat(runner.isRunning("acc-bad")).isFalse();
        assertThat(runner.runningCount()).isEqualTo(3);
    }

    @Test
    void noMoreStartsRunAtOnceThanTheNodesBound() throws Exception {
        AccountRunner runner = runner(2);
        CompletableFuture<List<StartedAccount>> result = CompletableFuture.supplyAsync(
                () -> activities(runner).startAccounts(batch("a1", "a2", "a3", "a4", "a5")));

        await(() -> runtime.inFlight.get() == 2, "2 starts in flight");
        runtime.release.countDown();

        assertThat(result.get(60, TimeUnit.SECONDS))
                .allSatisfy(s -> assertThat(s.failure()).isNull());
        assertThat(runtime.maxInFlight.get()).isEqualTo(2);
        assertThat(runner.runningCount()).isEqualTo(5);
    }

    @Test
    void aFenceWaitsForTheStartsInFlightAndStopsThemToo() throws Exception {
        AccountRunner runner = runner(8);
        CompletableFuture<List<StartedAccount>> result =
                CompletableFuture.supplyAsync(() -> activities(runner).startAccounts(batch("f1", "f2", "f3")));
        await(() -> runtime.inFlight.get() == 3, "3 starts in flight");

        AtomicReference<Thread> fence = new AtomicReference<>();
        fence.set(Thread.ofPlatform().start(() -> runner.stopAll("lease expired (test)")));
        // The fence must wait for the starts in flight (were it done already, the starts would leave the
        // accounts running after it).
        await(
                () -> fence.get().getState() == Thread.State.WAITING
                        || fence.get().getState() == Thread.State.TERMINATED,
                "the fence waiting or done");
        runtime.release.countDown();
        fence.get().join(60_000);
        result.get(60, TimeUnit.SECONDS);

        assertThat(runner.runningCount()).isZero();
        assertThat(runtime.stopped).containsExactlyInAnyOrder("f1", "f2", "f3");
        assertThat(runner.list()).allSatisfy(s -> assertThat(s.status()).isEqualTo("stopped"));
    }

    @Test
    void aFenceStopsEveryAccountAtOnceNotOneAfterTheOther() throws Exception {
        AccountRunner runner = runner(8);
        runtime.release.countDown();
        activities(runner).startAccounts(batch("s1", "s2", "s3", "s4"));
        assertThat(runner.runningCount()).isEqualTo(4);

        // Each stop hangs (its goodbye to the network times out): one after the other, the last account would run
        // on for 3 such waits after the lease expired.
        runtime.stopRelease = new CountDownLatch(1);
        Thread fence = Thread.ofPlatform().daemon().start(() -> runner.stopAll("lease expired (test)"));
        await(() -> runtime.stopsInFlight.get() == 4, "all 4 stops in flight at once");
        runtime.stopRelease.countDown();
        fence.join(60_000);

        assertThat(runner.runningCount()).isZero();
        assertThat(runtime.stopped).containsExactlyInAnyOrder("s1", "s2", "s3", "s4");
        assertThat(runner.list()).allSatisfy(s -> {
            assertThat(s.status()).isEqualTo("stopped");
            assertThat(s.detail()).isEqualTo("lease expired (test)");
        });
    }

    @Test
    void oneAccountsStartsStaySerialAndIdempotent() throws Exception {
        AccountRunner runner = runner(8);
        CompletableFuture<List<StartedAccount>> result =
                CompletableFuture.supplyAsync(() -> activities(runner).startAccounts(batch("same", "same", "other")));
        await(() -> runtime.inFlight.get() == 2, "the first start of 'same' and 'other' in flight");
        runtime.release.countDown();

        assertThat(result.get(60, TimeUnit.SECONDS))
                .allSatisfy(s -> assertThat(s.failure()).isNull());
        // The second 'same' waited for the first under the account's lock and found it running.
        assertThat(runtime.maxInFlight.get()).isEqualTo(2);
        assertThat(runner.runningCount()).isEqualTo(2);
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within 30 s: " + what);
            }
            Thread.sleep(10);
        }
    }
}
