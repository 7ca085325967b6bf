package io.groupai.fleet.app.demo;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The local demo: three simulated nodes (embedded SSH servers running real worker-node agents)
 * and demo accounts on the simulated Telegram network.
 *
 * @param enabled start the demo (on with embedded defaults; off in production)
 * @param dir     where the simulated nodes keep their host keys and deploy directories
 * @param agentExitAfter a demo node's agent exits after this long without reaching the app
 *                (written into its config as EXIT_AFTER_CONTROL_PLANE_LOST)
 */
@ConfigurationProperties("groupai.demo")
public record DemoProperties(
        @DefaultValue("false") boolean enabled,
        Path dir,
        @DefaultValue("3m") Duration agentExitAfter) {}
