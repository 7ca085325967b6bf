package io.groupai.fleet.app.temporal;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.nodes.NodeConfigExtras;
import io.groupai.fleet.workflows.codec.AesGcmPayloadCodec;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.EncodingKeys;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The payload codec is off by default and switched on by groupai.temporal.payload-key, for the app and its nodes. */
class PayloadEncryptionConfigurationTest {

    static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withUserConfiguration(PayloadEncryptionConfiguration.class);

    @Test
    void offWithoutAKey() {
        runner.run(ctx -> assertThat(ctx).doesNotHaveBean(DataConverter.class).doesNotHaveBean(NodeConfigExtras.class));
        runner.withPropertyValues("groupai.temporal.payload-key=")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(DataConverter.class));
    }

    @Test
    void onWithAKeyForTheAppAndEveryNode() {
        runner.withPropertyValues("groupai.temporal.payload-key=" + KEY).run(ctx -> {
            DataConverter converter = ctx.getBean("mainDataConverter", DataConverter.class);
            Payload p = converter.toPayload("account 639000000001").orElseThrow();
            assertThat(p.getMetadataMap()
                            .get(EncodingKeys.METADATA_ENCODING_KEY)
                            .toStringUtf8())
                    .isEqualTo(AesGcmPayloadCodec.ENCODING);
            assertThat(p.getData().toStringUtf8()).doesNotContain("639000000001");
            assertThat(converter.fromPayload(p, String.class, String.class)).isEqualTo("account 639000000001");
            assertThat(ctx.getBean(NodeConfigExtras.class).forNode("n1")).containsEntry("TEMPORAL_PAYLOAD_KEY", KEY);
        });
    }

    @Test
    void aBadKeyStopsTheStartWithoutQuotingIt() {
        runner.withPropertyValues("groupai.temporal.payload-key=c2hvcnQta2V5").run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("32 bytes")
                    .hasMessageNotContaining("c2hvcnQta2V5");
        });
    }
}
