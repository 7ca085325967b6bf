package io.groupai.fleet.app.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.groupai.fleet.app.temporal.EmbeddedTemporalServer;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gate with TLS on (groupai.gate.tls-cert-chain/tls-private-key): TLS clients get through, plaintext does not. */
class GateTlsTest {

    static final String TOKEN = "tls-test-token-0123456789abcdef";

    @TempDir
    Path dir;

    @Test
    void aTlsGateServesNodesThatTrustItsCertificateAndNothingInClear() throws Exception {
        Path cert = dir.resolve("gate.crt");
        Path key = dir.resolve("gate.key");
        assumeTrue(openssl(cert, key), "openssl is needed to make a test certificate");

        try (ServerSocket s = new ServerSocket(0);
                EmbeddedTemporalServer temporal = new EmbeddedTemporalServer("127.0.0.1", freePort(s))) {
            WorkflowServiceStubs direct = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                    .setTarget(temporal.target())
                    .build());
            try (TemporalGate gate = new TemporalGate(
                    "127.0.0.1",
                    0,
                    TemporalGate.tls(cert.toString(), key.toString()),
                    direct.getRawChannel(),
                    new GatePolicy("default", Duration.ofHours(1), Clock.systemUTC()),
                    (node, token) -> TOKEN.equals(token))) {
                DescribeNamespaceRequest describe = DescribeNamespaceRequest.newBuilder()
                        .setNamespace("default")
                        .build();

                ManagedChannel tls = NettyChannelBuilder.forAddress("localhost", gate.port())
                        .sslContext(GrpcSslContexts.forClient()
                                .trustManager(cert.toFile())
                                .build())
                        .build();
                try {
                    assertThat(WorkflowServiceGrpc.newBlockingStub(tls)
                                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
                                            TemporalGateTest.headers("n1", TOKEN)))
                                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                                    .describeNamespace(describe)
                                    .getNamespaceInfo()
                                    .getName())
                            .isEqualTo("default");
                } finally {
                    tls.shutdownNow();
                }

                ManagedChannel plain = NettyChannelBuilder.forAddress("localhost", gate.port())
                        .usePlaintext()
                        .build();
                try {
                    assertThatThrownBy(() -> WorkflowServiceGrpc.newBlockingStub(plain)
                                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
                                            TemporalGateTest.headers("n1", TOKEN)))
                                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                                    .describeNamespace(describe))
                            .isInstanceOf(StatusRuntimeException.class);
                } finally {
                    plain.shutdownNow();
                }
            } finally {
                direct.shutdownNow();
            }
        }
    }

    private static int freePort(ServerSocket s) throws Exception {
        int port = s.getLocalPort();
        s.close();
        return port;
    }

    private static boolean openssl(Path cert, Path key) throws Exception {
        try {
            Process p = new ProcessBuilder(List.of(
                            "openssl",
                            "req",
                            "-x509",
                            "-newkey",
                            "rsa:2048",
                            "-nodes",
                            "-days",
                            "1",
                            "-subj",
                            "/CN=localhost",
                            "-addext",
                            "subjectAltName=DNS:localhost,IP:127.0.0.1",
                            "-keyout",
                            key.toString(),
                            "-out",
                            cert.toString()))
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.size(cert) > 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
