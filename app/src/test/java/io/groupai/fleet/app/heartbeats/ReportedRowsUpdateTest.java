package io.groupai.fleet.app.heartbeats;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.app.TestServers;
import io.groupai.fleet.registry.AccountRepository;
import io.groupai.fleet.registry.AccountRepository.ReportedRow;
import io.groupai.fleet.registry.PlacementCounts;
import io.groupai.fleet.registry.ServerRepository;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A heartbeat's changed rows are written with one UPDATE per chunk, each row's values chosen by its id:
 * every row gets its own values (nulls included), across chunks, and a row whose server or operation
 * changed since it was read keeps what it had. Runs on H2 and, in CI's second pass, on MariaDB.
 */
@FleetIntegrationTest
class ReportedRowsUpdateTest {

    /** Three chunks: two full ones and a part. */
    private static final int ROWS = 2 * AccountRepository.REPORTED_UPDATE_CHUNK + 6;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    AccountRepository accounts;

    @Autowired
    ServerRepository servers;

    @Autowired
    PlacementCounts counts;

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        TestServers.insertProbed(jdbc, servers, "s1", ROWS);
        TestServers.insertProbed(jdbc, servers, "s2", ROWS);
        Timestamp now = Timestamp.from(Instant.parse("2026-01-01T00:00:00Z"));
        for (int i = 0; i < ROWS; i++) {
            jdbc.sql("INSERT INTO accounts (account_id, server_id, status, script_id, source_node, message_count,"
                            + " reply_count, last_activity, group_ids, created_at, updated_at)"
                            + " VALUES (?, 's1', 'online', 'old-script', 's1', 1, 1, ?, '1,2', ?, ?)")
                    .params(id(i), now, now, now)
                    .update();
        }
        counts.recount();
    }

    @Test
    void everyRowGetsItsOwnValuesAcrossChunksAndMovedRowsAreLeftAlone() {
        List<ReportedRow> changed = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            boolean even = i % 2 == 0;
            changed.add(new ReportedRow(
                    id(i),
                    "s1",
                    null,
                    even ? "online" : "flood_wait",
                    even ? "script-" + i : null,
                    "s1",
                    1000 + i,
                    2000 + i,
                    even ? Instant.parse("2026-02-01T10:00:00Z").plusSeconds(i) : null,
                    even ? null : String.valueOf(i),
                    even ? "acc-" + i + ".session" : null));
        }
        // Placed elsewhere, and taken by an operation, after the heartbeat read them: not theirs to write.
        int moved = 5;
        int held = AccountRepository.REPORTED_UPDATE_CHUNK + 3;
        jdbc.sql("UPDATE accounts SET server_id = 's2' WHERE account_id = ?")
                .param(id(moved))
                .update();
        jdbc.sql("UPDATE accounts SET operation_id = 'wf-x' WHERE account_id = ?")
                .param(id(held))
                .update();

        Instant at = Instant.parse("2026-03-01T12:00:00Z");
        assertThat(accounts.updateReported(changed, at)).isEqualTo(ROWS - 2);

        for (int i = 0; i < ROWS; i++) {
            Map<String, Object> row = jdbc.sql("SELECT status, script_id, message_count, reply_count, last_activity,"
                            + " group_ids, reported_session_file, last_report_at FROM accounts WHERE account_id = ?")
                    .param(id(i))
                    .query()
                    .singleRow();
            if (i == moved || i == held) {
                assertThat(row).as(id(i)).containsEntry("status", "online").containsEntry("group_ids", "1,2");
                assertThat(((Number) row.get("message_count")).longValue()).isEqualTo(1);
                assertThat(row.get("last_report_at")).isNull();
                continue;
            }
            boolean even = i % 2 == 0;
            assertThat(row.get("status")).as(id(i)).isEqualTo(even ? "online" : "flood_wait");
            assertThat(row.get("script_id")).as(id(i)).isEqualTo(even ? "script-" + i : null);
            assertThat(((Number) row.get("message_count")).longValue())
                    .as(id(i))
                    .isEqualTo(1000 + i);
            assertThat(((Number) row.get("reply_count")).longValue()).as(id(i)).isEqualTo(2000 + i);
            assertThat(row.get("last_activity") == null ? null : ((Timestamp) row.get("last_activity")).toInstant())
                    .as(id(i))
                    .isEqualTo(even ? Instant.parse("2026-02-01T10:00:00Z").plusSeconds(i) : null);
            assertThat(row.get("group_ids")).as(id(i)).isEqualTo(even ? null : String.valueOf(i));
            assertThat(row.get("reported_session_file")).as(id(i)).isEqualTo(even ? "acc-" + i + ".session" : null);
            assertThat(((Timestamp) row.get("last_report_at")).toInstant())
                    .as(id(i))
                    .isEqualTo(at);
        }
    }

    @Test
    void nothingChangedWritesNothing() {
        assertThat(accounts.updateReported(List.of(), Instant.now())).isZero();
    }

    private static String id(int i) {
        return "acc-%03d".formatted(i);
    }
}
