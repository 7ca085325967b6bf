package io.groupai.fleet.app.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class DialogueClaimsTest {

    @Test
    void theFirstAccountWinsAnEventAndKeepsItForItsRetriesUntilTheClaimExpires() {
        Instant t0 = Instant.parse("2026-12-01T10:00:00Z");
        Clock[] clock = {Clock.fixed(t0, ZoneOffset.UTC)};
        DialogueClaims claims = new DialogueClaims(new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return clock[0].instant();
            }
        });
        assertThat(claims.claim("acc1", -100L, "member:7:1:0")).isTrue();
        assertThat(claims.claim("acc2", -100L, "member:7:1:0")).isFalse();
        assertThat(claims.claim("acc1", -100L, "member:7:1:0"))
                .as("a retry of the winner")
                .isTrue();
        assertThat(claims.claim("acc2", -200L, "member:7:1:0"))
                .as("another group")
                .isTrue();
        clock[0] = Clock.fixed(t0.plus(DialogueClaims.TTL).plus(Duration.ofSeconds(1)), ZoneOffset.UTC);
        assertThat(claims.claim("acc2", -100L, "member:7:1:0")).isTrue();
    }

    @Test
    void concurrentClaimsGrantExactlyOne() throws Exception {
        DialogueClaims claims = new DialogueClaims(Clock.systemUTC());
        List<String> winners = new CopyOnWriteArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String account = "acc" + i;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                if (claims.claim(account, -100L, "message:9:5:abc")) {
                    winners.add(account);
                }
            }));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(winners).hasSize(1);
    }
}
