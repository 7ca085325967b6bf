package io.groupai.fleet.app.gate;

import io.groupai.fleet.nodes.NodeConfigExtras;
import io.groupai.fleet.nodes.NodeDistributionProperties;
import io.groupai.fleet.registry.NodeTokenStore;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Runs the {@link TemporalGate} in front of the Temporal frontend this app uses, and makes bootstrap
 * hand the gate (not the frontend) to every node as its TEMPORAL_ADDRESS.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "groupai.gate.enabled", havingValue = "true", matchIfMissing = true)
class GateConfiguration {

    private static final Logger log = LoggerFactory.getLogger(GateConfiguration.class);

    @Bean(destroyMethod = "close")
    TemporalGate temporalGate(
            GateProperties properties,
            WorkflowServiceStubs temporal,
            NodeTokenStore tokens,
            Clock clock,
            @Value("${spring.temporal.namespace:default}") String namespace) {
        TemporalGate gate = new TemporalGate(
                properties.bindAddress(),
                properties.port(),
                properties.tls() ? TemporalGate.tls(properties.tlsCertChain(), properties.tlsPrivateKey()) : null,
                temporal.getRawChannel(),
                new GatePolicy(namespace, properties.taskTokenTtl(), clock),
                tokens::verify);
        log.info(
                "Temporal gate for worker nodes on {}:{} ({}), forwarding to {}",
                properties.bindAddress(),
                gate.port(),
                properties.tls() ? "TLS" : "plaintext; set groupai.gate.tls-cert-chain/tls-private-key for TLS",
                temporal.getOptions().getTarget());
        return gate;
    }

    /** TEMPORAL_ADDRESS (and TEMPORAL_TLS) of every node bootstrap configures, unless set explicitly. */
    @Bean
    NodeConfigExtras gateAddressForNodes(
            GateProperties properties, TemporalGate gate, NodeDistributionProperties nodes) {
        return nodeId -> {
            if (nodes.temporalAddress() != null && !nodes.temporalAddress().isBlank()) {
                return Map.of();
            }
            Map<String, String> keys = new LinkedHashMap<>();
            keys.put("TEMPORAL_ADDRESS", advertised(properties, gate.port()));
            keys.put("TEMPORAL_TLS", Boolean.toString(properties.tls()));
            return keys;
        };
    }

    static String advertised(GateProperties properties, int port) {
        if (properties.advertisedAddress() != null
                && !properties.advertisedAddress().isBlank()) {
            return properties.advertisedAddress();
        }
        String host = properties.bindAddress();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return host + ":" + port;
    }
}
