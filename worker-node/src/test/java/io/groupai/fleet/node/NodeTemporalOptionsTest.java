package io.groupai.fleet.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.EncodingKeys;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the agent talks to the control plane's Temporal gate: its id and current token on every call, TLS, payload key. */
class NodeTemporalOptionsTest {

    @TempDir
    Path dir;

    private Map<String, String> base() {
        Map<String, String> m = new HashMap<>();
        m.put("NODE_ID", "n1");
        m.put("NODE_TOKEN", "first-token-0123456789abcdef");
        m.put("DEPLOY_DIR", dir.toString());
        return m;
    }

    @Test
    void everyCallCarriesTheNodeIdAndTheTokenInUseAfterARotationToo() throws Exception {
        NodeConfig config = NodeConfig.from(base());
        ControlPlaneHttp http = new ControlPlaneHttp(URI.create("http://127.0.0.1:9"), config.nodeToken());
        WorkflowServiceStubsOptions options = NodeAgentMain.temporalOptions(config, http);

        Metadata first = options.getGrpcMetadataProviders().iterator().next().getMetadata();
        assertThat(first.get(NodeAgentMain.NODE_ID_HEADER)).isEqualTo("n1");
        assertThat(first.get(NodeAgentMain.AUTHORIZATION)).isEqualTo("Bearer first-token-0123456789abcdef");
        assertThat(options.getEnableHttps()).isFalse();

        http.replaceToken("rotated-token-0123456789abcdef");
        Metadata after = options.getGrpcMetadataProviders().iterator().next().getMetadata();
        assertThat(after.get(NodeAgentMain.AUTHORIZATION)).isEqualTo("Bearer rotated-token-0123456789abcdef");

        Map<String, String> tls = base();
        tls.put("TEMPORAL_TLS", "true");
        assertThat(NodeAgentMain.temporalOptions(NodeConfig.from(tls), http).getEnableHttps())
                .isTrue();
    }

    @Test
    void withThePayloadKeyEveryPayloadIsEncrypted() {
        // Without a key: the SDK's default (plain JSON) converter.
        assertThat(NodeAgentMain.clientOptions(NodeConfig.from(base())).getDataConverter())
                .isNull();

        Map<String, String> keyed = base();
        keyed.put("TEMPORAL_PAYLOAD_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
        NodeConfig config = NodeConfig.from(keyed);
        Payload p = NodeAgentMain.clientOptions(config)
                .getDataConverter()
                .toPayload("account 639000000001")
                .orElseThrow();
        assertThat(p.getMetadataMap().get(EncodingKeys.METADATA_ENCODING_KEY).toStringUtf8())
                .isEqualTo("binary/encrypted");
        assertThat(p.getData().toStringUtf8()).doesNotContain("639000000001");
        assertThat(config.toString()).doesNotContain("AAECAwQF");

        keyed.put("TEMPORAL_PAYLOAD_KEY", "c2hvcnQ=");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeConfig.from(keyed))
                .hasMessageContaining("TEMPORAL_PAYLOAD_KEY")
                .hasMessageNotContaining("c2hvcnQ=");
    }
}
