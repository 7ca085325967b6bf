package io.groupai.fleet.app.temporal;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.workflows.WorkflowTypes;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** With TEMPORAL_ADDRESS set, the app uses that Temporal server and starts no embedded one. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.datasource.url=jdbc:h2:mem:external-temporal;MODE=MySQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
            "groupai.demo.enabled=false",
            "groupai.gate.port=0",
            "groupai.data-dir=${java.io.tmpdir}/groupai-external-temporal",
            "groupai.sessions.dir=${java.io.tmpdir}/groupai-external-temporal/sessions",
            "groupai.secrets.key=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        })
class ExternalTemporalTest {

    /** Stands in for a real cluster: a separate Temporal server the app did not start. */
    static final EmbeddedTemporalServer EXTERNAL = new EmbeddedTemporalServer("127.0.0.1", freePort());

    @DynamicPropertySource
    static void temporalAddress(DynamicPropertyRegistry registry) {
        registry.add("TEMPORAL_ADDRESS", EXTERNAL::target);
        registry.add("TEMPORAL_NAMESPACE", () -> "default");
    }

    @AfterAll
    static void stopExternal() {
        EXTERNAL.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    @Test
    void usesTheConfiguredServerAndStartsNone() {
        assertThat(context.getBeansOfType(EmbeddedTemporalServer.class)).isEmpty();
        Api api = new Api(port);
        assertThat(api.get("/actuator/health")
                        .json()
                        .get("components")
                        .get("temporal")
                        .get("details")
                        .get("target")
                        .asString())
                .isEqualTo(EXTERNAL.target());

        api.post("/api/v1/group-ai/servers", """
                {"node_id": "ext-1", "host": "127.0.0.1", "port": 1, "user": "fleet", "deploy_dir": "/srv/ext", "max_accounts": 1}""");
        assertThat(api.post("/api/v1/group-ai/servers/ext-1/actions/status", "").status())
                .isEqualTo(202);

        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget(EXTERNAL.target())
                .build());
        try {
            String type = stubs.blockingStub()
                    .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                            .setNamespace("default")
                            .setExecution(WorkflowExecution.newBuilder().setWorkflowId("server-op-ext-1"))
                            .build())
                    .getWorkflowExecutionInfo()
                    .getType()
                    .getName();
            assertThat(type).isEqualTo(WorkflowTypes.SERVER_OPERATION);
        } finally {
            stubs.shutdownNow();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
