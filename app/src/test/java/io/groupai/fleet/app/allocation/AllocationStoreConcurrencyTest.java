package io.groupai.fleet.app.allocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupai.fleet.allocation.AllocationRefusedException;
import io.groupai.fleet.allocation.AllocationStore;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.app.TestServers;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.workflows.FailureTypes;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Invariants 1 and 2 under many concurrent claims, on whichever database the run uses (H2, MariaDB in CI). */
@FleetIntegrationTest
class AllocationStoreConcurrencyTest {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    AllocationStore store;

    @Autowired
    ServerRepository servers;

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        Timestamp now = Timestamp.from(Instant.now());
        for (String id : List.of("s1", "s2", "s3")) {
            TestServers.insertProbed(jdbc, servers, id, 5);
        }
        for (int i = 0; i < 50; i++) {
            jdbc.sql("INSERT INTO accounts (account_id, status, message_count, reply_count, created_at, updated_at) "
                            + "VALUES (?, 'unallocated', 0, 0, ?, ?)")
                    .params("c" + i, now, now)
                    .update();
        }
    }

    @Test
    void fiftyConcurrentClaimsOnThreeServersOfFiveNeverOverbook() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        Map<String, String> refused = new ConcurrentHashMap<>();
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String account = "c" + i;
            String server = "s" + (i % 3 + 1);
            futures.add(pool.submit(() -> {
                go.await();
                try {
                    store.reserve(account, server, "wf-" + account);
                } catch (AllocationRefusedException e) {
                    refused.put(account, e.code() + ": " + e.getMessage());
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS); // no deadlock: every claim finishes
        }
        pool.shutdown();

        assertThat(perServer()).containsExactly(Map.entry("s1", 5), Map.entry("s2", 5), Map.entry("s3", 5));
        assertThat(refused)
                .hasSize(35)
                .allSatisfy((account, why) ->
                        assertThat(why).startsWith(FailureTypes.NO_CAPACITY).contains("is full (5/5"));
    }

    @Test
    void manyThreadsClaimingOneAccountOnDifferentServersOnlyOneWins() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(12);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> futures = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String server = "s" + (i % 3 + 1);
            String operation = "wf-" + i;
            futures.add(pool.submit(() -> {
                go.await();
                try {
                    store.reserve("c0", server, operation);
                    return true;
                } catch (AllocationRefusedException e) {
                    assertThat(e.code()).isEqualTo(FailureTypes.ACCOUNT_UNAVAILABLE);
                    return false;
                }
            }));
        }
        go.countDown();
        int winners = 0;
        for (Future<Boolean> f : futures) {
            winners += f.get(60, TimeUnit.SECONDS) ? 1 : 0;
        }
        pool.shutdown();

        assertThat(winners).isEqualTo(1);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM accounts WHERE server_id IS NOT NULL")
                        .query(Integer.class)
                        .single())
                .isEqualTo(1);
    }

    @Test
    void aClaimIsIdempotentForItsOwnerAndReleasedOnlyByIt() {
        store.reserve("c1", "s1", "wf-a");
        store.reserve("c1", "s1", "wf-a"); // a retried activity gets the same claim back

        assertThatThrownBy(() -> store.release("c1", "s1", "wf-other"))
                .isInstanceOfSatisfying(
                        AllocationRefusedException.class,
                        e -> assertThat(e.code()).isEqualTo(FailureTypes.CLAIM_LOST));
        assertThat(store.release("c1", "s1", "wf-a")).isTrue();
        assertThat(jdbc.sql("SELECT status FROM accounts WHERE account_id = 'c1'")
                        .query(String.class)
                        .single())
                .isEqualTo("unallocated");
    }

    private Map<String, Integer> perServer() {
        Map<String, Integer> counts = new TreeMap<>();
        jdbc.sql("SELECT server_id, COUNT(*) AS n FROM accounts WHERE server_id IS NOT NULL GROUP BY server_id")
                .query((RowCallbackHandler) rs -> counts.put(rs.getString("server_id"), rs.getInt("n")));
        return counts;
    }
}
