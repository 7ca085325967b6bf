package io.groupai.fleet.app.security;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How many failed sign-ins {@code POST /api/v1/auth/token} takes before it answers 429, per username
 * and per client address. Only failures count: a correct password costs nothing, and a username or an
 * address under attack does not lock anyone else out.
 *
 * @param perUsername failed attempts for one username (whatever the address)
 * @param perAddress  failed attempts from one client address (the socket's, not X-Forwarded-For)
 * @param maxTracked  usernames and addresses remembered at most (least recently used forgotten first), so
 *                    made-up usernames cannot fill the memory
 */
@Validated
@ConfigurationProperties("groupai.security.sign-in-limit")
public record SignInLimitProperties(
        @NotNull @Valid @DefaultValue Limit perUsername,
        @NotNull @Valid @DefaultValue Limit perAddress,
        @Min(100) @DefaultValue("100000") int maxTracked) {

    /**
     * @param failures failed attempts allowed at once (the bucket's capacity)
     * @param period   over which that many come back, gradually (one every period / failures)
     */
    public record Limit(
            @Min(1) @DefaultValue("10") int failures,
            @NotNull @DefaultValue("5m") Duration period) {

        public Limit {
            if (period != null && (period.isZero() || period.isNegative())) {
                throw new IllegalArgumentException("period must be positive, e.g. 5m");
            }
        }
    }
}
