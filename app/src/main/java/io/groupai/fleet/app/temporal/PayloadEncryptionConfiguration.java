package io.groupai.fleet.app.temporal;

import io.groupai.fleet.nodes.NodeConfigExtras;
import io.groupai.fleet.workflows.codec.AesGcmPayloadCodec;
import io.temporal.common.converter.DataConverter;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Switched on by {@code groupai.temporal.payload-key} (GROUPAI_TEMPORAL_PAYLOAD_KEY, base64 of 32
 * bytes): every Temporal payload this app writes is AES-256-GCM encrypted, and bootstrap gives each
 * node the same key (TEMPORAL_PAYLOAD_KEY in its 0600 configuration file) so its worker reads and
 * writes the same way. Workflows pass ids, not secrets, either way; this also hides account ids,
 * server names and results from whoever can read Temporal's database.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("!'${groupai.temporal.payload-key:}'.isBlank()")
class PayloadEncryptionConfiguration {

    private static final Logger log = LoggerFactory.getLogger(PayloadEncryptionConfiguration.class);

    @Bean
    AesGcmPayloadCodec payloadCodec(@Value("${groupai.temporal.payload-key}") String key) {
        AesGcmPayloadCodec codec;
        try {
            codec = AesGcmPayloadCodec.fromBase64(key);
        } catch (IllegalArgumentException e) {
            // The message never quotes the key.
            throw new IllegalStateException(
                    "groupai.temporal.payload-key (GROUPAI_TEMPORAL_PAYLOAD_KEY): " + e.getMessage());
        }
        log.info("Temporal payloads are encrypted (AES-256-GCM, key id {})", codec.keyId());
        return codec;
    }

    /** The Temporal starter uses the bean of this name for its client and workers. */
    @Bean
    DataConverter mainDataConverter(AesGcmPayloadCodec codec) {
        return codec.dataConverter();
    }

    @Bean
    NodeConfigExtras payloadKeyForNodes(@Value("${groupai.temporal.payload-key}") String key) {
        return nodeId -> Map.of("TEMPORAL_PAYLOAD_KEY", key.strip());
    }
}
