package io.groupai.fleet.app.scripts;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * One answer per event across the fleet: every account running a script in a group sees the same
 * new member or message, and the first account to claim the event answers it. Claims live in
 * memory for {@link #TTL} (the events are seconds old; after a restart of the control plane a
 * retried claim may be granted twice, which costs a duplicate reply at worst).
 */
@Component
class DialogueClaims {

    static final Duration TTL = Duration.ofMinutes(10);
    static final int MAX_CLAIMS = 200_000;

    private record Claim(String accountId, long expiresAt) {}

    private final Map<String, Claim> claims = new ConcurrentHashMap<>();
    private final Clock clock;

    DialogueClaims(Clock clock) {
        this.clock = clock;
    }

    /** True for the first account to claim {@code eventKey} in {@code chatId} (and for its retries). */
    boolean claim(String accountId, long chatId, String eventKey) {
        long now = clock.millis();
        if (claims.size() > MAX_CLAIMS) {
            claims.values().removeIf(c -> c.expiresAt() < now);
        }
        Claim mine = new Claim(accountId, now + TTL.toMillis());
        Claim winner =
                claims.compute(chatId + "|" + eventKey, (k, old) -> old == null || old.expiresAt() < now ? mine : old);
        return winner.accountId().equals(accountId);
    }
}
