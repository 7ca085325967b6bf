package io.groupai.fleet.app.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.allocation.AllocationRefusedException;
import io.groupai.fleet.allocation.AllocationStore;
import io.groupai.fleet.allocation.BatchRejectedException;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.app.TestServers;
import io.groupai.fleet.heartbeats.Heartbeat;
import io.groupai.fleet.heartbeats.HeartbeatService;
import io.groupai.fleet.registry.AccountDefinition;
import io.groupai.fleet.registry.AccountRegistry;
import io.groupai.fleet.registry.AccountReport;
import io.groupai.fleet.registry.ConflictException;
import io.groupai.fleet.registry.NotFoundException;
import io.groupai.fleet.registry.PlacementCounts;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.workflows.allocation.AllocationType;
import io.groupai.fleet.workflows.allocation.FixedTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The per-server and unassigned counts the summary reads stay equal to the GROUP BY truth after a
 * randomized mix of every operation that changes placement, sequential and concurrent.
 */
@FleetIntegrationTest
class PlacementCountsTest {

    private static final List<String> SERVERS = List.of("p1", "p2", "p3", "p4");

    @Autowired
    JdbcClient jdbc;

    @Autowired
    AllocationStore store;

    @Autowired
    AccountRegistry registry;

    @Autowired
    HeartbeatService heartbeats;

    @Autowired
    PlacementCounts counts;

    @Autowired
    ServerRepository servers;

    private final AtomicInteger operations = new AtomicInteger();
    private final AtomicInteger newAccounts = new AtomicInteger();

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        for (String id : SERVERS) {
            TestServers.insertProbed(jdbc, servers, id, 12);
        }
        for (int i = 0; i < 30; i++) {
            registry.create(new AccountDefinition(newAccountId(), null, null, null));
        }
    }

    @Test
    void countsEqualTheGroupByTruthAfterARandomizedMixOfOperations() throws Exception {
        Random random = new Random(20261202L);
        for (int step = 0; step < 600; step++) {
            randomOperation(random);
        }
        assertCountsMatchTruth();

        // Concurrent claims, releases, completions and heartbeats.
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Random own = new Random(t);
            futures.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < 80; i++) {
                    randomOperation(own);
                }
                return null;
            }));
        }
        go.countDown();
        try {
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(60, TimeUnit.SECONDS); // nothing of this test may run into the next one
        }
        assertCountsMatchTruth();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM accounts WHERE server_id IS NOT NULL")
                        .query(Integer.class)
                        .single())
                .isPositive();
    }

    private void randomOperation(Random random) {
        String server = SERVERS.get(random.nextInt(SERVERS.size()));
        try {
            switch (random.nextInt(10)) {
                case 0 -> registry.create(new AccountDefinition(newAccountId(), null, null, null));
                case 1 -> pick(random, "server_id IS NULL").ifPresent(a -> registry.delete(a));
                case 2, 3 ->
                    pick(random, "server_id IS NULL")
                            .ifPresent(a -> store.reserve(a, server, "op-" + operations.incrementAndGet()));
                case 4 -> {
                    List<FixedTarget> items = new ArrayList<>();
                    pick(random, "server_id IS NULL").ifPresent(a -> items.add(new FixedTarget(a, server)));
                    pick(random, "server_id IS NULL")
                            .filter(a ->
                                    items.stream().noneMatch(i -> i.accountId().equals(a)))
                            .ifPresent(a -> items.add(new FixedTarget(a, SERVERS.get(random.nextInt(SERVERS.size())))));
                    if (!items.isEmpty()) {
                        store.reserveBatch(items, "batch-" + operations.incrementAndGet());
                    }
                }
                case 5, 6 -> settleAClaim(random);
                case 7 ->
                    pick(random, "server_id IS NOT NULL AND operation_id IS NULL")
                            .ifPresent(a -> {
                                String source = jdbc.sql("SELECT server_id FROM accounts WHERE account_id = ?")
                                        .param(a)
                                        .query(String.class)
                                        .single();
                                if (source == null) {
                                    return; // released meanwhile
                                }
                                String target = SERVERS.get((SERVERS.indexOf(source) + 1) % SERVERS.size());
                                String op = "mig-" + operations.incrementAndGet();
                                store.reserveMigrationTarget(a, source, target, op);
                                if (random.nextBoolean()) {
                                    store.commitMigration(a, source, target, op);
                                }
                            });
                default -> {
                    // A node reports some accounts (any placement) and one the database has never seen.
                    List<AccountReport> reports = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        pick(random, "1 = 1").ifPresent(a -> reports.add(report(a, random)));
                    }
                    reports.add(report(newAccountId(), random));
                    heartbeats.accept(new Heartbeat(server, "online", reports.size(), reports, List.of(), List.of()));
                }
            }
        } catch (AllocationRefusedException
                | BatchRejectedException
                | ConflictException
                | EmptyResultDataAccessException
                | NotFoundException expected) {
            // Refusals and rows gone meanwhile are part of the mix (full servers, accounts taken or
            // settled by another thread): they must change nothing.
        }
    }

    /** Finishes one operation in flight: release, complete or mark failed a claim; switch or abort a migration. */
    private void settleAClaim(Random random) {
        pick(random, "operation_id IS NOT NULL").ifPresent(a -> {
            Map<String, String> row = jdbc.sql(
                            "SELECT server_id, reserved_server_id, operation_id, status FROM accounts WHERE account_id = ?")
                    .param(a)
                    .query((rs, n) -> Map.of(
                            "server",
                            rs.getString(1),
                            "reserved",
                            String.valueOf(rs.getString(2)),
                            "op",
                            rs.getString(3),
                            "status",
                            rs.getString(4)))
                    .single();
            String op = row.get("op");
            if (op.startsWith("mig-")) {
                boolean committed = "null".equals(row.get("reserved"));
                String source = committed ? previousServer(row.get("server")) : row.get("server");
                if (!committed && random.nextBoolean()) {
                    store.commitMigration(a, source, row.get("reserved"), op);
                } else {
                    store.abortMigration(a, source, op);
                }
                return;
            }
            switch (random.nextInt(3)) {
                case 0 -> store.release(a, row.get("server"), op);
                case 1 -> store.complete(a, row.get("server"), AllocationType.INITIAL, 1.0, op, null);
                default -> store.markFailed(a, row.get("server"), op, "test");
            }
        });
    }

    /** Migrations in this test always go to the next server in the list; the source is the one before. */
    private static String previousServer(String target) {
        return SERVERS.get((SERVERS.indexOf(target) + SERVERS.size() - 1) % SERVERS.size());
    }

    private java.util.Optional<String> pick(Random random, String condition) {
        List<String> ids = jdbc.sql("SELECT account_id FROM accounts WHERE " + condition + " ORDER BY account_id")
                .query(String.class)
                .list();
        return ids.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(ids.get(random.nextInt(ids.size())));
    }

    private static AccountReport report(String accountId, Random random) {
        return new AccountReport(
                accountId,
                random.nextBoolean() ? "online" : "stopped",
                null,
                random.nextInt(100),
                0,
                null,
                null,
                List.of());
    }

    private String newAccountId() {
        return "pc-" + newAccounts.incrementAndGet();
    }

    private void assertCountsMatchTruth() {
        Map<String, Long> truth = new TreeMap<>();
        jdbc.sql("SELECT server_id, COUNT(*) FROM accounts WHERE server_id IS NOT NULL GROUP BY server_id")
                .query((RowCallbackHandler) rs -> truth.put(rs.getString(1), rs.getLong(2)));
        long unassigned = jdbc.sql("SELECT COUNT(*) FROM accounts WHERE server_id IS NULL")
                .query(Long.class)
                .single();

        PlacementCounts.Snapshot snapshot = counts.snapshot();
        Map<String, Long> kept = new TreeMap<>(snapshot.perServer());
        kept.values().removeIf(n -> n == 0);
        assertThat(kept).isEqualTo(truth);
        assertThat(snapshot.unassigned()).isEqualTo(unassigned);
    }
}
