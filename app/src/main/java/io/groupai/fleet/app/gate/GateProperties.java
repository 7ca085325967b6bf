package io.groupai.fleet.app.gate;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The Temporal gate: the gRPC endpoint worker nodes use instead of the Temporal frontend.
 *
 * @param enabled           off: nodes are handed the Temporal frontend itself (no confinement; only for
 *                          a private lab network)
 * @param bindAddress       where the gate listens; loopback by default. A real fleet sets the address of
 *                          the interface its servers reach (or 0.0.0.0) and turns TLS on
 * @param port              the gate's port; 0 picks a free one (tests)
 * @param advertisedAddress host:port written into each node's TEMPORAL_ADDRESS; blank: the bind address
 *                          (127.0.0.1 when it binds every interface) and the gate's port
 * @param tlsCertChain      PEM certificate chain; with {@code tlsPrivateKey} the gate speaks TLS only
 * @param tlsPrivateKey     PEM private key (PKCS#8) of that certificate
 * @param taskTokenTtl      how long a task handed to a node stays answerable through the gate (longer
 *                          than the longest start-to-close timeout of a node activity)
 */
@Validated
@ConfigurationProperties("groupai.gate")
public record GateProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("127.0.0.1") @NotBlank String bindAddress,
        @DefaultValue("7234") @Min(0) @Max(65535) int port,
        String advertisedAddress,
        String tlsCertChain,
        String tlsPrivateKey,
        @DefaultValue("24h") @NotNull Duration taskTokenTtl) {

    public boolean tls() {
        return tlsCertChain != null && !tlsCertChain.isBlank();
    }
}
