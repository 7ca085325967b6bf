package io.groupai.fleet.app.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The app's client TLS to a Temporal cluster from TEMPORAL_TLS_* files (no cluster needed). */
class TemporalMtlsTest {

    @TempDir
    Path dir;

    @Test
    void buildsTheClientContextFromPemFilesAndAppliesItWithTheServerName() throws Exception {
        Path cert = dir.resolve("client.crt");
        Path key = dir.resolve("client.key");
        Path ca = dir.resolve("ca.crt");
        Path caKey = dir.resolve("ca.key");
        assumeTrue(TestCertificates.selfSigned(cert, key, "fleet-client"), "openssl is needed");
        assumeTrue(TestCertificates.selfSigned(ca, caKey, "temporal-ca"), "openssl is needed");
        assertThat(Files.readString(key)).contains("BEGIN PRIVATE KEY"); // PKCS#8

        TemporalMtls mtls = new TemporalMtls(cert.toString(), key.toString(), ca.toString(), "temporal.internal");
        assertThat(mtls.configured()).isTrue();
        assertThat(mtls.sslContext().isClient()).isTrue();

        WorkflowServiceStubsOptions options = mtls.apply(
                        WorkflowServiceStubsOptions.newBuilder().setTarget("temporal.example:7233"))
                .build();
        assertThat(options.getSslContext()).isNotNull();
        assertThat(options.getChannelInitializer()).isNotNull();

        // CA only: server-authenticated TLS without a client certificate.
        assertThat(new TemporalMtls("", "", ca.toString(), "").sslContext()).isNotNull();
        assertThat(new TemporalMtls("", "", "", "").configured()).isFalse();
    }

    @Test
    void wrongOrMissingFilesAreNamed() throws Exception {
        Path cert = dir.resolve("client.crt");
        Path key = dir.resolve("client.key");
        assumeTrue(TestCertificates.selfSigned(cert, key, "fleet-client"), "openssl is needed");

        assertThatThrownBy(() -> new TemporalMtls(cert.toString(), "", "", "").sslContext())
                .hasMessageContaining("only TEMPORAL_TLS_CERT is set");
        assertThatThrownBy(() -> new TemporalMtls(
                                cert.toString(), dir.resolve("nope.key").toString(), "", "")
                        .sslContext())
                .hasMessageContaining("TEMPORAL_TLS_KEY")
                .hasMessageContaining("nope.key");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate");
        assertThatThrownBy(() -> new TemporalMtls(garbage.toString(), key.toString(), "", "").sslContext())
                .hasMessageContaining("TEMPORAL_TLS_CERT " + garbage);
        assertThatThrownBy(() -> new TemporalMtls(cert.toString(), key.toString(), garbage.toString(), "").sslContext())
                .hasMessageContaining("TEMPORAL_TLS_CA " + garbage);
    }
}
