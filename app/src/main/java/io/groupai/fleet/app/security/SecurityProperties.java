package io.groupai.fleet.app.security;

import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Operator sign-in and what configuration input may reach.
 *
 * @param adminUsername         the first admin (GROUPAI_ADMIN_USERNAME), created at start when missing
 * @param adminPassword         its password (GROUPAI_ADMIN_PASSWORD); blank: one is generated at the first start
 *                              and printed once in the log
 * @param tokenTtl              lifetime of the access tokens {@code POST /api/v1/auth/token} issues
 * @param jwtKey                base64 of the HS256 key that signs access tokens (GROUPAI_JWT_KEY, 32+ bytes);
 *                              blank: {@code jwtKeyFile}, generated at the first start
 * @param jwtKeyFile            where the generated signing key is kept (0600)
 * @param restVariablePrefixes  {@code ${VAR}} references in REST bodies resolve only for variables with one of
 *                              these prefixes (and only in secret fields); the start-up import resolves any
 * @param keysDir               {@code private_key_file} names a file in this directory, nowhere else
 */
@Validated
@ConfigurationProperties("groupai.security")
public record SecurityProperties(
        @DefaultValue("admin") String adminUsername,
        String adminPassword,
        @NotNull @DefaultValue("1h") Duration tokenTtl,
        String jwtKey,
        @NotNull @DefaultValue("./data/jwt.key") Path jwtKeyFile,
        @NotNull @DefaultValue("FLEET_SECRET_") List<String> restVariablePrefixes,
        @NotNull @DefaultValue("./data/keys") Path keysDir) {}
