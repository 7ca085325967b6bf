package io.groupai.fleet.app.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.temporal.RecurringWorkflows;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The Java test server's cron has whole minutes: the interval is rounded up to one it can express. */
class ReconcileScheduleTest {

    @Test
    void intervalsBecomeCronExpressions() {
        assertThat(RecurringWorkflows.cronEvery(Duration.ofMinutes(2))).isEqualTo("*/2 * * * *");
        assertThat(RecurringWorkflows.cronEvery(Duration.ofSeconds(30))).isEqualTo("*/1 * * * *");
        assertThat(RecurringWorkflows.cronEvery(Duration.ofSeconds(90))).isEqualTo("*/2 * * * *");
        assertThat(RecurringWorkflows.cronEvery(Duration.ofHours(2))).isEqualTo("0 */2 * * *");
    }

    /** The default offset puts the reconciliation on odd minutes, never on the rebalance's (every 10 min) tick. */
    @Test
    void anOffsetShiftsTheTicks() {
        assertThat(RecurringWorkflows.cronEvery(Duration.ofMinutes(2), Duration.ofMinutes(1)))
                .isEqualTo("1-59/2 * * * *");
        assertThat(RecurringWorkflows.cronEvery(Duration.ofMinutes(2), Duration.ofMinutes(3)))
                .isEqualTo("1-59/2 * * * *");
        assertThat(RecurringWorkflows.cronEvery(Duration.ofMinutes(1), Duration.ofMinutes(1)))
                .isEqualTo("*/1 * * * *");
        assertThat(RecurringWorkflows.cronEvery(Duration.ofHours(2), Duration.ofMinutes(1)))
                .isEqualTo("1 */2 * * *");
    }
}
