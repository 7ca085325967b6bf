package io.groupai.fleet.workflows.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.common.converter.EncodingKeys;
import io.temporal.payload.codec.PayloadCodecException;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** With the codec switched on, workflows work as before and their history holds ciphertext only. */
class AesGcmPayloadCodecTest {

    static final String SECRET = "ssh-password-RECOGNISABLE-4711";
    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @ActivityInterface
    public interface Echo {
        String echo(String text);
    }

    @WorkflowInterface
    public interface EchoFlow {
        @WorkflowMethod
        String run(String text);
    }

    public static class EchoFlowImpl implements EchoFlow {
        @Override
        public String run(String text) {
            return Workflow.newActivityStub(
                            Echo.class,
                            ActivityOptions.newBuilder()
                                    .setStartToCloseTimeout(Duration.ofSeconds(10))
                                    .build())
                    .echo(text + "|workflow");
        }
    }

    private final AesGcmPayloadCodec codec = new AesGcmPayloadCodec(KEY);
    private TestWorkflowEnvironment env;

    @BeforeEach
    void setUp() {
        env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
                .setWorkflowClientOptions(WorkflowClientOptions.newBuilder()
                        .setDataConverter(codec.dataConverter())
                        .build())
                .build());
        Worker worker = env.newWorker("codec");
        worker.registerWorkflowImplementationTypes(EchoFlowImpl.class);
        worker.registerActivitiesImplementations((Echo) text -> text + "|activity");
        env.start();
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    @Test
    void workflowsStillWorkAndTheHistoryHoldsOnlyCiphertext() {
        WorkflowClient client = env.getWorkflowClient();
        String result = client.newWorkflowStub(
                        EchoFlow.class,
                        WorkflowOptions.newBuilder()
                                .setTaskQueue("codec")
                                .setWorkflowId("codec-1")
                                .build())
                .run(SECRET);
        assertThat(result).isEqualTo(SECRET + "|workflow|activity");

        List<Payload> payloads = new ArrayList<>();
        for (HistoryEvent e : client.fetchHistory("codec-1").getEvents()) {
            collect(e, payloads);
            assertThat(new String(e.toByteArray(), StandardCharsets.ISO_8859_1))
                    .as(e.getEventType().name())
                    .doesNotContain(SECRET);
        }
        // workflow input, activity input, activity result, workflow result
        assertThat(payloads).hasSizeGreaterThanOrEqualTo(4);
        assertThat(payloads)
                .allSatisfy(p -> assertThat(p.getMetadataMap()
                                .get(EncodingKeys.METADATA_ENCODING_KEY)
                                .toStringUtf8())
                        .isEqualTo(AesGcmPayloadCodec.ENCODING));
        // ...and they decrypt back to the values.
        assertThat(codec.dataConverter().fromPayload(payloads.get(0), String.class, String.class))
                .isEqualTo(SECRET);
    }

    @Test
    void anotherKeyIsAClearErrorAndPlainPayloadsStillRead() {
        Payload sealed = codec.encode(List.of(
                        DefaultDataConverter.STANDARD_INSTANCE.toPayload("x").orElseThrow()))
                .get(0);
        AesGcmPayloadCodec other = new AesGcmPayloadCodec(new byte[32]);
        assertThatThrownBy(() -> other.decode(List.of(sealed)))
                .isInstanceOf(PayloadCodecException.class)
                .hasMessageContaining(codec.keyId());
        Payload tampered = sealed.toBuilder()
                .setData(sealed.getData().substring(0, sealed.getData().size() - 1))
                .build();
        assertThatThrownBy(() -> codec.decode(List.of(tampered))).hasMessageContaining("integrity");

        Optional<Payload> plain = DefaultDataConverter.STANDARD_INSTANCE.toPayload("written before");
        assertThat(codec.decode(List.of(plain.orElseThrow()))).containsExactly(plain.get());
        assertThatThrownBy(() -> new AesGcmPayloadCodec(new byte[16])).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> AesGcmPayloadCodec.fromBase64("not base64!")).hasMessageContaining("base64");
    }

    private static void collect(HistoryEvent e, List<Payload> out) {
        List<Payloads> all = new ArrayList<>();
        if (e.hasWorkflowExecutionStartedEventAttributes()) {
            all.add(e.getWorkflowExecutionStartedEventAttributes().getInput());
        }
        if (e.hasActivityTaskScheduledEventAttributes()) {
            all.add(e.getActivityTaskScheduledEventAttributes().getInput());
        }
        if (e.hasActivityTaskCompletedEventAttributes()) {
            all.add(e.getActivityTaskCompletedEventAttributes().getResult());
        }
        if (e.hasWorkflowExecutionCompletedEventAttributes()) {
            all.add(e.getWorkflowExecutionCompletedEventAttributes().getResult());
        }
        all.forEach(p -> out.addAll(p.getPayloadsList()));
    }
}
