package io.groupai.fleet.app.router;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The routing pool inside the app: an OpenAI-compatible entry point on its own port.
 *
 * @param enabled start it with the app
 * @param port    where it listens (0: any free port); replaces the config file's router.port, which
 *                in the seed's file is 8080, the app's own port
 * @param host    where it listens; blank: the config file's router.host
 * @param config  the multi_account_config.json (re-read when it changes); the pool listens once it
 *                exists
 */
@Validated
@ConfigurationProperties("groupai.router")
public record RouterProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("8090") @Min(0) @Max(65535) int port,
        @DefaultValue("") String host,
        @NotNull @DefaultValue("multi_account_config.json") Path config) {}
