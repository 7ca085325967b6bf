package io.groupai.fleet.app.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.crypto.SecretKey;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.stereotype.Component;

/**
 * Issues and checks the short-lived access tokens: JWTs signed with HS256 (the only algorithm the
 * decoder accepts, so {@code alg: none} and tokens signed with any other key are refused), issuer
 * {@value #ISSUER}, subject the username, and an expiry always present.
 */
@Component
public class AccessTokens {

    static final String ISSUER = "group-ai-fleet";

    public record Issued(String token, Instant expiresAt, long expiresInSeconds) {}

    private final NimbusJwtEncoder encoder;
    private final NimbusJwtDecoder decoder;
    private final Duration ttl;
    private final Clock clock;

    AccessTokens(SecurityProperties properties, Clock clock) {
        SecretKey key = JwtKeys.load(properties);
        this.encoder = NimbusJwtEncoder.withSecretKey(key).build();
        this.decoder = NimbusJwtDecoder.withSecretKey(key)
                .macAlgorithm(MacAlgorithm.HS256)
                .build();
        JwtTimestampValidator timestamps = new JwtTimestampValidator(Duration.ofSeconds(30));
        timestamps.setClock(clock);
        this.decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(
                jwt -> jwt.getExpiresAt() == null
                        ? OAuth2TokenValidatorResult.failure(
                                new OAuth2Error("invalid_token", "the token has no expiry", null))
                        : OAuth2TokenValidatorResult.success(),
                timestamps,
                new JwtIssuerValidator(ISSUER)));
        this.ttl = properties.tokenTtl();
        this.clock = clock;
    }

    public Issued issue(String username) {
        Instant now = clock.instant();
        Instant expires = now.plus(ttl);
        JwtClaimsSet claims = JwtClaimsSet.builder()
                .issuer(ISSUER)
                .subject(username)
                .issuedAt(now)
                .expiresAt(expires)
                .id(UUID.randomUUID().toString())
                .build();
        String token = encoder.encode(JwtEncoderParameters.from(
                        JwsHeader.with(MacAlgorithm.HS256).type("JWT").build(), claims))
                .getTokenValue();
        return new Issued(token, expires, ttl.toSeconds());
    }

    /** @throws org.springframework.security.oauth2.jwt.JwtException when it is not a valid, current token of ours */
    Jwt decode(String token) {
        return decoder.decode(token);
    }
}
