package io.groupai.fleet.app.tls;

import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.temporal.serviceclient.SimpleSslContextBuilder;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The app's TLS to an external Temporal cluster: a client certificate and key (mTLS, PEM, key in
 * PKCS#8), optionally the cluster's CA (else the JVM's CAs) and the server name its certificate
 * carries (when it differs from the host in TEMPORAL_ADDRESS).
 *
 * @param certChain  TEMPORAL_TLS_CERT
 * @param key        TEMPORAL_TLS_KEY
 * @param ca         TEMPORAL_TLS_CA, blank: the JVM's CAs
 * @param serverName TEMPORAL_TLS_SERVER_NAME, blank: the host of TEMPORAL_ADDRESS
 */
public record TemporalMtls(String certChain, String key, String ca, String serverName) {

    /** Whether anything is configured; a half configuration is an error in {@link #sslContext()}. */
    public boolean configured() {
        return !blank(certChain) || !blank(key) || !blank(ca) || !blank(serverName);
    }

    /** Applies the TLS settings to the starter's service-stub options. */
    public WorkflowServiceStubsOptions.Builder apply(WorkflowServiceStubsOptions.Builder builder) {
        builder.setSslContext(sslContext());
        if (!blank(serverName)) {
            String name = serverName.strip();
            builder.setChannelInitializer(channel -> channel.overrideAuthority(name));
        }
        return builder;
    }

    /** The client's SSL context; a missing, unreadable or malformed file is an error that names it. */
    public SslContext sslContext() {
        if (blank(certChain) != blank(key)) {
            throw new IllegalStateException(
                    "mTLS to Temporal needs both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY, but only "
                            + (blank(certChain) ? "TEMPORAL_TLS_KEY" : "TEMPORAL_TLS_CERT") + " is set");
        }
        try {
            SimpleSslContextBuilder builder;
            if (blank(certChain)) {
                builder = SimpleSslContextBuilder.noKeyOrCertChain(); // TLS without a client certificate
            } else {
                // In memory: the builder reads its streams only in build().
                builder = SimpleSslContextBuilder.forPKCS8(
                        new ByteArrayInputStream(read("TEMPORAL_TLS_CERT", certChain)),
                        new ByteArrayInputStream(read("TEMPORAL_TLS_KEY", key)));
            }
            if (!blank(ca)) {
                builder.setTrustManager(trusting(ca));
            }
            return builder.build();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException(
                    "mTLS to Temporal: cannot use TEMPORAL_TLS_CERT " + certChain + " and TEMPORAL_TLS_KEY " + key
                            + " (PEM certificate chain and PKCS#8 key): " + e.getMessage(),
                    e);
        }
    }

    private static byte[] read(String name, String file) {
        Path path = Path.of(file.strip());
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new IllegalStateException(name + " " + path.toAbsolutePath() + " is not a readable file", e);
        }
    }

    private static javax.net.ssl.TrustManager trusting(String file) {
        try (InputStream in = new ByteArrayInputStream(read("TEMPORAL_TLS_CA", file))) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new IllegalStateException("TEMPORAL_TLS_CA " + file + " holds no PEM certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            return tmf.getTrustManagers()[0];
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(
                    "TEMPORAL_TLS_CA " + file + " is not a PEM certificate: " + e.getMessage(), e);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
