package io.groupai.fleet.app.security;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.EstimationProbe;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Token buckets of failed sign-ins (Bucket4j), one per username and one per client address. A sign-in
 * is refused while either of its buckets is empty; only a failure takes a token from both, so a correct
 * password is never penalised and a username someone guesses at does not block other users. In memory:
 * a restart forgets the counts, which costs an attacker one restart of ours per bucket.
 */
@Component
class SignInLimiter {

    private final SignInLimitProperties properties;
    private final Map<String, Bucket> usernames;
    private final Map<String, Bucket> addresses;

    SignInLimiter(SignInLimitProperties properties) {
        this.properties = properties;
        this.usernames = lru(properties.maxTracked());
        this.addresses = lru(properties.maxTracked());
    }

    /** How long to wait before the next attempt, when the username's or the address's failures are used up. */
    Optional<Duration> retryAfter(String username, String address) {
        long nanos = Math.max(wait(usernames, username), wait(addresses, address));
        return nanos <= 0 ? Optional.empty() : Optional.of(Duration.ofNanos(nanos));
    }

    /** Counts a failed attempt against the username and the address. */
    void failed(String username, String address) {
        bucket(usernames, username, properties.perUsername()).tryConsume(1);
        bucket(addresses, address, properties.perAddress()).tryConsume(1);
    }

    private long wait(Map<String, Bucket> buckets, String key) {
        Bucket bucket;
        synchronized (buckets) {
            bucket = buckets.get(key);
        }
        if (bucket == null) {
            return 0; // never failed (or forgotten): a full bucket
        }
        EstimationProbe probe = bucket.estimateAbilityToConsume(1);
        return probe.canBeConsumed() ? 0 : probe.getNanosToWaitForRefill();
    }

    private static Bucket bucket(Map<String, Bucket> buckets, String key, SignInLimitProperties.Limit limit) {
        synchronized (buckets) {
            return buckets.computeIfAbsent(
                    key,
                    k -> Bucket.builder()
                            .addLimit(l -> l.capacity(limit.failures()).refillGreedy(limit.failures(), limit.period()))
                            .build());
        }
    }

    private static Map<String, Bucket> lru(int max) {
        return new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                return size() > max;
            }
        };
    }
}
