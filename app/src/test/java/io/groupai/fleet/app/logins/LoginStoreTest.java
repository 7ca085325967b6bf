package io.groupai.fleet.app.logins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupai.fleet.registry.NotFoundException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The in-memory rules without a server: TTL, once-only delivery, masking. */
class LoginStoreTest {

    static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T10:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final MovableClock clock = new MovableClock();
    private final LoginStore store = new LoginStore(clock, Duration.ofMinutes(10));

    @Test
    void aValueNotFetchedWithinTheTtlIsDroppedWithItsLogin() throws Exception {
        store.start("acc", "node-a", "+4915112345678");
        clock.now = clock.now.plus(Duration.ofMinutes(10)).plusSeconds(1);
        assertThat(store.poll("node-a", 0)).isEmpty();
        assertThatThrownBy(() -> store.view("acc")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> store.report("node-a", "acc", LoginStore.State.WAITING_CODE, ""))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void progressKeepsALoginAliveAndEachValueIsHandedOutOnce() throws Exception {
        store.start("acc", "node-a", "+4915112345678");
        clock.now = clock.now.plus(Duration.ofMinutes(9));
        assertThat(store.poll("node-a", 0)).singleElement().satisfies(d -> {
            assertThat(d.value()).isEqualTo("+4915112345678");
            assertThat(d.toString()).doesNotContain("12345678");
        });
        assertThat(store.poll("node-a", 0)).isEmpty();
        clock.now = clock.now.plus(Duration.ofMinutes(9));
        store.report("node-a", "acc", LoginStore.State.WAITING_CODE, "code sent");
        clock.now = clock.now.plus(Duration.ofMinutes(9));
        LoginStore.View view = store.view("acc");
        assertThat(view.state()).isEqualTo("waiting_code");
        assertThat(view.expiresAt()).isEqualTo(view.updatedAt().plus(Duration.ofMinutes(10)));
        assertThat(view.toString()).doesNotContain("12345678");
    }

    @Test
    void phonesAreMaskedToPrefixAndLastTwoDigits() {
        assertThat(LoginStore.maskPhone("+4915112345678")).isEqualTo("+49*********78");
        assertThat(LoginStore.maskPhone("12345")).isEqualTo("***");
    }

    @Test
    void endPollsAnswersTheWaitingPollAndEveryLaterOneAtOnce() throws Exception {
        java.util.concurrent.ExecutorService poller = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<java.util.List<LoginStore.Delivery>> waiting =
                    poller.submit(() -> store.poll("node-a", 30_000));
            store.endPolls();
            // Well below the poll's own limit (30 s): answered by endPolls, not by its timeout.
            assertThat(waiting.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEmpty();
            assertThat(poller.submit(() -> store.poll("node-a", 30_000)).get(10, java.util.concurrent.TimeUnit.SECONDS))
                    .isEmpty();
        } finally {
            poller.shutdownNow();
        }
    }
}
