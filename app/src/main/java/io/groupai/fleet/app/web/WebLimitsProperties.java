package io.groupai.fleet.app.web;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Limits on what a client may send.
 *
 * @param maxJsonBody largest request body of every endpoint except the session upload, which has its own
 *                    {@code groupai.sessions.max-archive-bytes}; larger bodies get 413
 */
@Validated
@ConfigurationProperties("groupai.web")
public record WebLimitsProperties(
        @NotNull @DefaultValue("1MB") DataSize maxJsonBody) {}
