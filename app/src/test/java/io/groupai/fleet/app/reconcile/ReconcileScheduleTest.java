package io.groupai.fleet.app.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The Java test server's cron has whole minutes: the interval is rounded up to one it can express. */
class ReconcileScheduleTest {

    @Test
    void intervalsBecomeCronExpressions() {
        assertThat(ReconcileSchedule.cron(Duration.ofMinutes(2))).isEqualTo("*/2 * * * *");
        assertThat(ReconcileSchedule.cron(Duration.ofSeconds(30))).isEqualTo("*/1 * * * *");
        assertThat(ReconcileSchedule.cron(Duration.ofSeconds(90))).isEqualTo("*/2 * * * *");
        assertThat(ReconcileSchedule.cron(Duration.ofHours(2))).isEqualTo("0 */2 * * *");
    }
}
