package io.groupai.fleet.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupai.fleet.registry.Page;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Runs on H2, and on MySQL/MariaDB when DB_URL names one (CI's second pass). */
@Tag("database")
class AlertServiceTest {

    private final AlertDatabase db = new AlertDatabase();
    private final AlertService alerts = db.service(AlertProperties.defaults(List.of(
            new AlertProperties.Webhook("http://127.0.0.1:9/hook-a", null),
            new AlertProperties.Webhook("http://127.0.0.1:9/hook-b", "s3cret"))));

    @AfterEach
    void close() {
        db.shutdown();
    }

    @Test
    void aRepeatWhileOpenCountsUpTheSameAlertAndQueuesNoSecondDelivery() {
        Alert first = alerts.raise(
                AlertKind.SERVER_DOWN, AlertSeverity.CRITICAL, "manila", null, "manila: probe failed 3 times");
        Alert again = alerts.raise(
                AlertKind.SERVER_DOWN, AlertSeverity.CRITICAL, "manila", null, "manila: probe failed 4 times");

        assertThat(again.id()).isEqualTo(first.id());
        assertThat(again.occurrences()).isEqualTo(2);
        assertThat(again.message()).isEqualTo("manila: probe failed 4 times");
        assertThat(again.open()).isTrue();
        // One "raised" delivery per webhook, not per raise.
        assertThat(deliveries("raised")).isEqualTo(2);

        // Another server, or another account, is another alert.
        Alert other = alerts.raise(AlertKind.SERVER_DOWN, AlertSeverity.CRITICAL, "worker-01", null, "worker-01 down");
        assertThat(other.id()).isNotEqualTo(first.id());
    }

    @Test
    void resolvingClosesTheAlertAndTheNextRaiseOpensANewOne() {
        Alert open = alerts.raise(AlertKind.DISK_NEARLY_FULL, AlertSeverity.WARNING, "manila", null, "disk 93%");
        Alert resolved = alerts.resolve(open.id(), "disk 40%");

        assertThat(resolved.open()).isFalse();
        assertThat(resolved.resolvedAt()).isNotNull();
        assertThat(resolved.resolution()).isEqualTo("disk 40%");
        assertThat(deliveries("resolved")).isEqualTo(2);
        // Resolving twice changes nothing and sends nothing more.
        alerts.resolve(open.id(), "again");
        assertThat(deliveries("resolved")).isEqualTo(2);
        assertThat(alerts.get(open.id()).resolution()).isEqualTo("disk 40%");

        Alert reopened = alerts.raise(AlertKind.DISK_NEARLY_FULL, AlertSeverity.WARNING, "manila", null, "disk 95%");
        assertThat(reopened.id()).isNotEqualTo(open.id());
        assertThat(reopened.occurrences()).isEqualTo(1);
        assertThat(alerts.resolveOpen(AlertKind.DISK_NEARLY_FULL, "manila", null, "ok"))
                .isPresent();
        assertThat(alerts.resolveOpen(AlertKind.DISK_NEARLY_FULL, "manila", null, "ok"))
                .isEmpty();
    }

    @Test
    void listsFilterByOpenKindAndServerNewestFirst() {
        alerts.raise(AlertKind.SERVER_DOWN, AlertSeverity.CRITICAL, "manila", null, "down");
        Alert failed = alerts.raise(
                AlertKind.ALLOCATION_FAILED, AlertSeverity.WARNING, "manila", "639277356155", "upload failed");
        alerts.raise(AlertKind.ALLOCATION_FAILED, AlertSeverity.WARNING, "los-angeles", "639277356156", "start failed");
        alerts.resolve(failed.id(), "retried");

        Page<Alert> open = alerts.list(new AlertFilter(true, null, null, null), 0, 10);
        assertThat(open.total()).isEqualTo(2);
        assertThat(open.items()).extracting(Alert::serverId).containsExactly("los-angeles", "manila");

        assertThat(alerts.list(new AlertFilter(null, AlertKind.ALLOCATION_FAILED, null, null), 0, 10)
                        .total())
                .isEqualTo(2);
        assertThat(alerts.list(new AlertFilter(false, null, "manila", null), 0, 10)
                        .items())
                .extracting(Alert::id)
                .containsExactly(failed.id());
        Page<Alert> second = alerts.list(AlertFilter.all(), 1, 2);
        assertThat(second.total()).isEqualTo(3);
        assertThat(second.items()).hasSize(1);
        assertThat(alerts.openCounts())
                .containsEntry(AlertKind.SERVER_DOWN, 1L)
                .containsEntry(AlertKind.ALLOCATION_FAILED, 1L);
    }

    @Test
    void concurrentRaisesOfOneProblemMakeOneAlert() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Alert>> raises = IntStream.range(0, 40)
                    .<Callable<Alert>>mapToObj(i -> () -> alerts.raise(
                            AlertKind.ACCOUNT_DEAD, AlertSeverity.CRITICAL, "manila", "639277356155", "revoked " + i))
                    .toList();
            List<Long> ids = pool.invokeAll(raises).stream()
                    .map(f -> get(f).id())
                    .distinct()
                    .toList();
            assertThat(ids).hasSize(1);
            assertThat(alerts.get(ids.get(0)).occurrences()).isEqualTo(40);
            assertThat(deliveries("raised")).isEqualTo(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void kindsHaveLowerCaseWireNamesAndUnknownOnesAreRefusedWithTheList() {
        assertThat(AlertKind.DISK_NEARLY_FULL.wire()).isEqualTo("disk_nearly_full");
        assertThat(AlertKind.fromWire("server_down")).isEqualTo(AlertKind.SERVER_DOWN);
        assertThatThrownBy(() -> AlertKind.fromWire("cpu_hot"))
                .hasMessageContaining("cpu_hot")
                .hasMessageContaining("drift_found");
        assertThatThrownBy(() -> alerts.raise(AlertKind.DRIFT_FOUND, AlertSeverity.INFO, null, null, " "))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Alert get(Future<Alert> f) {
        try {
            return f.get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private long deliveries(String event) {
        return db.jdbc
                .sql("SELECT COUNT(*) FROM alert_deliveries WHERE event = ?")
                .param(event)
                .query(Long.class)
                .single();
    }
}
