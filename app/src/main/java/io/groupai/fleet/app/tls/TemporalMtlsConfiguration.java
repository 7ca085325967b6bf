package io.groupai.fleet.app.tls;

import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.spring.boot.TemporalOptionsCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * TEMPORAL_TLS_CERT / TEMPORAL_TLS_KEY / TEMPORAL_TLS_CA / TEMPORAL_TLS_SERVER_NAME on the app's
 * connection to an external Temporal cluster (TEMPORAL_ADDRESS set). The embedded server speaks
 * plaintext on loopback, so they are ignored (with a log line) while it runs.
 */
@Configuration(proxyBeanMethods = false)
class TemporalMtlsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(TemporalMtlsConfiguration.class);

    @Bean
    TemporalMtls temporalMtls(
            @Value("${TEMPORAL_TLS_CERT:}") String cert,
            @Value("${TEMPORAL_TLS_KEY:}") String key,
            @Value("${TEMPORAL_TLS_CA:}") String ca,
            @Value("${TEMPORAL_TLS_SERVER_NAME:}") String serverName) {
        return new TemporalMtls(cert, key, ca, serverName);
    }

    @Bean
    TemporalOptionsCustomizer<WorkflowServiceStubsOptions.Builder> temporalMtlsCustomizer(
            TemporalMtls mtls, @Value("${TEMPORAL_ADDRESS:}") String address) {
        if (!mtls.configured()) {
            return builder -> builder;
        }
        if (address.isBlank()) {
            log.info(
                    "TEMPORAL_TLS_* ignored: no TEMPORAL_ADDRESS, the embedded Temporal server runs (plaintext, loopback)");
            return builder -> builder;
        }
        // Built now, so a wrong file stops start-up with its name rather than at the first call.
        mtls.sslContext();
        log.info(
                "Temporal at {} over TLS{}{}",
                address,
                mtls.certChain().isBlank() ? "" : " with client certificate " + mtls.certChain(),
                mtls.ca().isBlank() ? "" : ", trusting CA " + mtls.ca());
        return mtls::apply;
    }
}
