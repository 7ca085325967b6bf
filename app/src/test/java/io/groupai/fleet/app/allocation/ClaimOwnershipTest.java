package io.groupai.fleet.app.allocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupai.fleet.allocation.AllocationRefusedException;
import io.groupai.fleet.allocation.AllocationStore;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.app.TestServers;
import io.groupai.fleet.heartbeats.Heartbeat;
import io.groupai.fleet.heartbeats.HeartbeatService;
import io.groupai.fleet.registry.AccountReport;
import io.groupai.fleet.registry.PlacementCounts;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.workflows.FailureTypes;
import io.groupai.fleet.workflows.allocation.AllocationActivities;
import io.groupai.fleet.workflows.allocation.AllocationType;
import io.groupai.fleet.workflows.allocation.MigrationPlan;
import io.groupai.fleet.workflows.allocation.ReserveRequest;
import io.temporal.failure.ApplicationFailure;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * While an operation holds an account ({@code operation_id} set), only that operation changes the
 * row's server or status: a heartbeat in between cannot strand the claim, and release, complete,
 * mark-failed and abort find the row by operation id and fail loudly when it is not theirs.
 */
@FleetIntegrationTest
class ClaimOwnershipTest {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    AllocationStore store;

    @Autowired
    AllocationActivities activities;

    @Autowired
    HeartbeatService heartbeats;

    @Autowired
    PlacementCounts counts;

    @Autowired
    ServerRepository servers;

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        Timestamp now = Timestamp.from(Instant.now());
        for (String id : List.of("s1", "s2")) {
            TestServers.insertProbed(jdbc, servers, id, 5);
        }
        for (String id : List.of("c1", "c2")) {
            jdbc.sql("INSERT INTO accounts (account_id, status, message_count, reply_count, created_at, updated_at) "
                            + "VALUES (?, 'unallocated', 0, 0, ?, ?)")
                    .params(id, now, now)
                    .update();
        }
        counts.recount();
    }

    @Test
    void aHeartbeatBetweenTheStartAndTheCompensationLeavesTheClaimToItsOperation() {
        store.reserve("c1", "s1", "wf-a");
        // The node started the account and reports it before the workflow's confirm step failed.
        heartbeat("s1", new AccountReport("c1", "online", null, 7, 2, null, null, List.of()));

        assertThat(row("c1"))
                .containsEntry("status", "allocating")
                .containsEntry("operation_id", "wf-a")
                .containsEntry("message_count", 7L);

        assertThat(store.release("c1", "s1", "wf-a")).isTrue();
        assertThat(row("c1"))
                .containsEntry("server_id", null)
                .containsEntry("operation_id", null)
                .containsEntry("status", "unallocated");
        assertThat(counts.snapshot().unassigned()).isEqualTo(2);
        // Not claimed forever: another operation can place it.
        store.reserve("c1", "s2", "wf-b");
    }

    @Test
    void aRetriedReleaseSucceedsAndAReleaseOfAnotherOperationsClaimFailsLoudly() {
        store.reserve("c1", "s1", "wf-a");
        assertThat(store.release("c1", "s1", "wf-a")).isTrue();
        assertThat(store.release("c1", "s1", "wf-a")).isFalse(); // the retry: nothing left to release

        store.reserve("c1", "s2", "wf-b");
        assertThatThrownBy(() -> store.release("c1", "s2", "wf-a"))
                .isInstanceOfSatisfying(
                        AllocationRefusedException.class,
                        e -> assertThat(e.code()).isEqualTo(FailureTypes.CLAIM_LOST))
                .hasMessageContainingAll("account c1", "server s2", "operation wf-a", "held by operation wf-b");
        assertThat(row("c1")).containsEntry("server_id", "s2").containsEntry("operation_id", "wf-b");

        // Through the activity: a non-retryable failure of the declared type.
        assertThatThrownBy(() -> activities.release(new ReserveRequest("c1", "s2", "wf-a")))
                .isInstanceOfSatisfying(ApplicationFailure.class, f -> {
                    assertThat(f.getType()).isEqualTo(FailureTypes.CLAIM_LOST);
                    assertThat(f.isNonRetryable()).isTrue();
                });
    }

    @Test
    void aReleaseAfterItsOwnCompletionContradictsAndChangesNothing() {
        store.reserve("c1", "s1", "wf-a");
        store.complete("c1", "s1", AllocationType.INITIAL, 1.0, "wf-a", null);

        assertThatThrownBy(() -> store.release("c1", "s1", "wf-a"))
                .isInstanceOfSatisfying(
                        AllocationRefusedException.class,
                        e -> assertThat(e.code()).isEqualTo(FailureTypes.CLAIM_LOST));
        assertThat(row("c1")).containsEntry("server_id", "s1").containsEntry("status", "online");
    }

    @Test
    void completeFindsTheRowByOperationWhateverAHeartbeatReportedAndIsIdempotent() {
        store.reserve("c1", "s1", "wf-a");
        heartbeat("s1", new AccountReport("c1", "error", null, 0, 0, null, null, List.of()));

        store.complete("c1", "s1", AllocationType.INITIAL, 1.0, "wf-a", null);
        store.complete("c1", "s1", AllocationType.INITIAL, 1.0, "wf-a", null); // retried: no second history row

        assertThat(row("c1")).containsEntry("status", "online").containsEntry("operation_id", null);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM allocation_history WHERE account_id = 'c1'")
                        .query(Integer.class)
                        .single())
                .isOne();
        // Once it is the node's and no operation holds it, the node's reports set its status again.
        heartbeat("s1", new AccountReport("c1", "error", null, 0, 0, null, null, List.of()));
        assertThat(row("c1")).containsEntry("status", "error");

        store.reserve("c2", "s1", "wf-b");
        assertThatThrownBy(() -> store.complete("c2", "s1", AllocationType.INITIAL, 1.0, "wf-other", null))
                .isInstanceOfSatisfying(
                        AllocationRefusedException.class,
                        e -> assertThat(e.code()).isEqualTo(FailureTypes.CLAIM_LOST))
                .hasMessageContainingAll("account c2", "server s1", "operation wf-other", "held by operation wf-b");
    }

    @Test
    void markFailedAndAbortMigrationActOnlyOnTheirOwnClaimAndRepeatHarmlessly() {
        store.reserve("c1", "s1", "wf-a");
        store.markFailed("c1", "s1", "wf-a", "stop failed");
        store.markFailed("c1", "s1", "wf-a", "stop failed"); // retried
        assertThat(row("c1"))
                .containsEntry("status", "failed")
                .containsEntry("server_id", "s1")
                .containsEntry("operation_id", null);
        assertThatThrownBy(() -> store.markFailed("c1", "s2", "wf-a", "wrong server"))
                .isInstanceOfSatisfying(
                        AllocationRefusedException.class,
                        e -> assertThat(e.code()).isEqualTo(FailureTypes.CLAIM_LOST));

        store.reserveMigrationTarget("c1", "s1", "s2", "mig-1");
        store.commitMigration("c1", "s1", "s2", "mig-1");
        heartbeat("s2", new AccountReport("c1", "online", null, 1, 1, null, null, List.of()));
        assertThat(row("c1")).containsEntry("status", "migrating");
        assertThatThrownBy(() ->
                        activities.abortMigration(new MigrationPlan("c1", "s1", "s2", 0, null), "mig-other", "why"))
                .isInstanceOfSatisfying(
                        ApplicationFailure.class, f -> assertThat(f.getType()).isEqualTo(FailureTypes.CLAIM_LOST));

        store.abortMigration("c1", "s1", "mig-1");
        store.abortMigration("c1", "s1", "mig-1"); // retried
        assertThat(row("c1"))
                .containsEntry("server_id", "s1")
                .containsEntry("reserved_server_id", null)
                .containsEntry("operation_id", null);
        assertThat(counts.snapshot().perServer()).containsEntry("s1", 1L).containsEntry("s2", 0L);
    }

    private void heartbeat(String nodeId, AccountReport... reports) {
        heartbeats.accept(new Heartbeat(nodeId, "online", reports.length, List.of(reports), List.of(), List.of()));
    }

    /**
     * Every move of an account runs as workflow {@code account-<id>}: moving it back to a server it
     * was once moved to must still release the row (found by the chaos tests: the account stayed
     * "migrating", held by a finished workflow, and could not move or be brought back again).
     */
    @Test
    void aSecondMoveToTheSameServerUnderTheSameWorkflowIdIsCompletedToo() {
        store.reserve("c1", "s1", "alloc-1");
        store.complete("c1", "s1", AllocationType.INITIAL, 1.0, "alloc-1", null);
        String id = "account-c1";
        for (String[] move : List.of(new String[] {"s1", "s2"}, new String[] {"s2", "s1"}, new String[] {"s1", "s2"})) {
            store.reserveMigrationTarget("c1", move[0], move[1], id);
            store.commitMigration("c1", move[0], move[1], id);
            store.complete("c1", move[1], AllocationType.REBALANCE, 1.0, id, move[0]);
            assertThat(row("c1"))
                    .as("after the move %s -> %s", move[0], move[1])
                    .containsEntry("server_id", move[1])
                    .containsEntry("operation_id", null)
                    .containsEntry("status", "online");
        }
        store.complete("c1", "s2", AllocationType.REBALANCE, 1.0, id, "s1"); // a retry after success: a no-op
        assertThat(row("c1")).containsEntry("operation_id", null);
    }

    private Map<String, Object> row(String accountId) {
        return jdbc.sql(
                        "SELECT server_id, reserved_server_id, status, operation_id, message_count FROM accounts WHERE account_id = ?")
                .param(accountId)
                .query((rs, n) -> {
                    Map<String, Object> row = new java.util.HashMap<>();
                    row.put("server_id", rs.getString("server_id"));
                    row.put("reserved_server_id", rs.getString("reserved_server_id"));
                    row.put("status", rs.getString("status"));
                    row.put("operation_id", rs.getString("operation_id"));
                    row.put("message_count", rs.getLong("message_count"));
                    return row;
                })
                .single();
    }
}
