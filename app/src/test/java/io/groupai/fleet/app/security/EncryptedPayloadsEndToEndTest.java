package io.groupai.fleet.app.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.allocation.SimulatedFleet;
import io.groupai.fleet.sessions.SessionStore;
import io.groupai.fleet.workflows.codec.AesGcmPayloadCodec;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.common.converter.EncodingKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The whole control plane with GROUPAI_TEMPORAL_PAYLOAD_KEY set: an allocation (parent and chunk
 * workflows, SSH upload, node activities) works as without it, the API shows its decrypted result,
 * and Temporal's history holds only encrypted payloads (no account id, no server name in clear).
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.datasource.url=jdbc:h2:mem:codec;MODE=MySQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
            "groupai.temporal.embedded.server=java-test-server",
            "groupai.temporal.embedded.port=0",
            "groupai.gate.port=0",
            "groupai.demo.enabled=false",
            "groupai.data-dir=${java.io.tmpdir}/groupai-codec-test",
            "groupai.sessions.dir=${java.io.tmpdir}/groupai-codec-test/sessions",
            "groupai.secrets.key=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            "groupai.temporal.payload-key=H4iNfdm1bN4ySXvq7A0WBO1zVl0y2d0n1bVqLJ0yR7Y=",
        })
@Tag("database")
class EncryptedPayloadsEndToEndTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    WorkflowClient client;

    @Autowired
    SessionStore sessions;

    @TempDir
    Path dir;

    @Test
    void anAllocationWorksAndItsHistoryIsCiphertext() throws Exception {
        DatabaseCleaner.clean(jdbc);
        Api api = new Api(port);
        try (SimulatedFleet fleet = new SimulatedFleet(api, client, dir)) {
            fleet.node("enc-a", 5, true).start();
            SimulatedFleet.accounts(api, sessions, List.of("639200000001"), true);

            Api.Response batch = api.post(
                    "/api/v1/group-ai/account-allocation/batch?wait_seconds=60",
                    "{\"allocations\": [{\"account_id\": \"639200000001\", \"server_id\": \"enc-a\"}]}");

            assertThat(batch.status()).as(batch.body()).isEqualTo(200);
            assertThat(batch.json().get("result").get("placed").asInt()).isEqualTo(1);
            assertThat(fleet.agent("enc-a").running()).containsKey("639200000001");
            String workflowId = batch.json().get("workflow_id").asString();
            JsonNode details =
                    api.get("/api/v1/group-ai/workflows/" + workflowId).json();
            assertThat(details.get("status").asString()).isEqualTo("COMPLETED");
            assertThat(details.get("result").toString()).contains("639200000001");

            for (String id : List.of(workflowId, workflowId + "-chunk-1", "server-op-enc-a")) {
                List<Payload> payloads = new ArrayList<>();
                for (HistoryEvent e : client.fetchHistory(id).getEvents()) {
                    assertThat(new String(withoutSearchAttributes(e).toByteArray(), StandardCharsets.ISO_8859_1))
                            .as(id + " " + e.getEventType())
                            .doesNotContain("639200000001", "\"enc-a\"");
                    if (e.hasWorkflowExecutionStartedEventAttributes()) {
                        payloads.addAll(e.getWorkflowExecutionStartedEventAttributes()
                                .getInput()
                                .getPayloadsList());
                    }
                    if (e.hasActivityTaskScheduledEventAttributes()) {
                        payloads.addAll(e.getActivityTaskScheduledEventAttributes()
                                .getInput()
                                .getPayloadsList());
                    }
                    if (e.hasActivityTaskCompletedEventAttributes()) {
                        payloads.addAll(e.getActivityTaskCompletedEventAttributes()
                                .getResult()
                                .getPayloadsList());
                    }
                }
                assertThat(payloads).as(id).isNotEmpty();
                // Search attributes are not payloads Temporal may not read: it indexes them, so they stay in clear.
                assertThat(payloads)
                        .as(id)
                        .allSatisfy(p -> assertThat(p.getMetadataMap()
                                        .get(EncodingKeys.METADATA_ENCODING_KEY)
                                        .toStringUtf8())
                                .isEqualTo(AesGcmPayloadCodec.ENCODING));
            }
        }
    }

    /** Search attributes (AccountId, NodeId...) are indexed by Temporal and so stay readable by design. */
    private static HistoryEvent withoutSearchAttributes(HistoryEvent e) {
        HistoryEvent.Builder b = e.toBuilder();
        if (e.hasWorkflowExecutionStartedEventAttributes()) {
            b.setWorkflowExecutionStartedEventAttributes(
                    e.getWorkflowExecutionStartedEventAttributes().toBuilder().clearSearchAttributes());
        }
        if (e.hasStartChildWorkflowExecutionInitiatedEventAttributes()) {
            b.setStartChildWorkflowExecutionInitiatedEventAttributes(
                    e.getStartChildWorkflowExecutionInitiatedEventAttributes().toBuilder()
                            .clearSearchAttributes());
        }
        if (e.hasUpsertWorkflowSearchAttributesEventAttributes()) {
            b.clearUpsertWorkflowSearchAttributesEventAttributes();
        }
        return b.build();
    }
}
