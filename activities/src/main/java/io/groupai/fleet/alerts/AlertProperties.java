package io.groupai.fleet.alerts;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code groupai.alerts}: where alerts are delivered and how hard the sender tries.
 *
 * @param webhooks            each gets a POST per opened or resolved alert; with a {@code secret} the
 *                            body is signed ({@code X-GroupAI-Signature: sha256=<hex HMAC-SHA256>})
 * @param deliveryInterval    how often the outbox is drained
 * @param maxAttempts         a delivery is given up (status {@code failed}) after this many attempts
 * @param initialBackoff      wait after the first failed attempt; doubles with each further one
 * @param maxBackoff          longest wait between two attempts
 * @param requestTimeout      one POST's timeout
 * @param diskNearlyFullPercent a probe that finds the deploy dir's file system at least this full
 *                            raises {@code disk_nearly_full}; below it resolves it
 * @param workflowWatchInterval how often finished workflows the app started are looked at
 *                            (allocation_failed, migration_failed, outcome metrics)
 */
@Validated
@ConfigurationProperties("groupai.alerts")
public record AlertProperties(
        @Valid @DefaultValue List<Webhook> webhooks,
        @NotNull @DefaultValue("2s") Duration deliveryInterval,
        @Min(1) @DefaultValue("12") int maxAttempts,
        @NotNull @DefaultValue("5s") Duration initialBackoff,
        @NotNull @DefaultValue("10m") Duration maxBackoff,
        @NotNull @DefaultValue("10s") Duration requestTimeout,
        @Min(1) @Max(100) @DefaultValue("90") double diskNearlyFullPercent,
        @NotNull @DefaultValue("5s") Duration workflowWatchInterval) {

    /** A webhook: its URL and an optional HMAC secret (never stored, logged or shown). */
    public record Webhook(@NotBlank String url, String secret) {
        @Override
        public String toString() {
            return "Webhook[" + url + (secret == null || secret.isBlank() ? "" : ", signed") + "]";
        }
    }

    public AlertProperties {
        webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
    }

    /** Defaults, for code that builds the service by hand (tests, tools). */
    public static AlertProperties defaults(List<Webhook> webhooks) {
        return new AlertProperties(
                webhooks,
                Duration.ofSeconds(2),
                12,
                Duration.ofSeconds(5),
                Duration.ofMinutes(10),
                Duration.ofSeconds(10),
                90,
                Duration.ofSeconds(5));
    }

    /** The wait after {@code attempts} failed attempts: initial × 2^(attempts-1), at most maxBackoff. */
    public Duration backoffAfter(int attempts) {
        Duration wait = initialBackoff;
        for (int i = 1; i < attempts && wait.compareTo(maxBackoff) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
    }
}
