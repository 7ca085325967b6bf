package io.groupai.fleet.app.heartbeats;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.app.Api;
import io.groupai.fleet.app.DatabaseCleaner;
import io.groupai.fleet.app.FleetIntegrationTest;
import io.groupai.fleet.app.gate.TemporalGate;
import io.groupai.fleet.registry.NodeTokenStore;
import io.groupai.fleet.registry.ServerRepository;
import io.groupai.fleet.sessionformat.Sha256;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Node tokens: one node's token opens nothing of another's; rotation with a grace period for the old one. */
@FleetIntegrationTest
class NodeTokenApiTest {

    private static final String TOKEN_A = "node-a-token-0123456789abcdef";
    private static final String TOKEN_B = "node-b-token-0123456789abcdef";

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ServerRepository servers;

    @Autowired
    NodeTokenStore tokens;

    @Autowired
    TemporalGate gate;

    Api api;
    ManagedChannel channel;

    @BeforeEach
    void setUp() {
        DatabaseCleaner.clean(jdbc);
        api = new Api(port);
        register("node-a", TOKEN_A);
        register("node-b", TOKEN_B);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", gate.port())
                .usePlaintext()
                .build();
    }

    @AfterEach
    void tearDown() {
        channel.shutdownNow();
    }

    @Test
    void nodeATokenOpensNothingOfNodeB() {
        Api.Response heartbeat = postHeartbeat("node-b", TOKEN_A);
        assertThat(heartbeat.status()).as(heartbeat.body()).isEqualTo(401);
        assertThat(heartbeat.body()).doesNotContain(TOKEN_A, TOKEN_B);
        assertThat(servers.get("node-b").lastHeartbeat()).isNull();

        assertThat(api.get("/api/v1/workers/node-b/logins", "Authorization", "Bearer " + TOKEN_A)
                        .status())
                .isEqualTo(401);
        assertThat(api.get("/api/v1/workers/node-b/sessions/acc-1", "Authorization", "Bearer " + TOKEN_A)
                        .status())
                .isEqualTo(401);
        assertThat(api.post(
                                "/api/v1/workers/node-b/logins/acc-1/state",
                                "{\"state\": \"ready\"}",
                                "Authorization",
                                "Bearer " + TOKEN_A)
                        .status())
                .isEqualTo(401);
        assertThat(gateCode("node-b", TOKEN_A)).isEqualTo(Status.Code.UNAUTHENTICATED);
        // ...while each token works for its own node.
        assertThat(gateCode("node-a", TOKEN_A)).isEqualTo(Status.Code.OK);
        assertThat(gateCode("node-b", TOKEN_B)).isEqualTo(Status.Code.OK);
    }

    @Test
    void aRotatedTokenReachesTheNodeInItsNextHeartbeatAndTheOldOneWorksOnlyDuringTheGrace() throws Exception {
        Api.Response rotated = api.post("/api/v1/group-ai/servers/node-a/node-token/rotate", "{\"grace_seconds\": 3}");
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        assertThat(rotated.json().get("previous_valid_until").asString()).isNotBlank();
        String newToken = tokens.reveal("node-a").orElseThrow();
        assertThat(newToken).hasSize(43).isNotEqualTo(TOKEN_A);
        assertThat(rotated.body()).doesNotContain(newToken, TOKEN_A);
        assertThat(api.get("/api/v1/group-ai/servers/node-a").body()).doesNotContain(newToken);
        // Stored as its SHA-256 and an AES-GCM ciphertext, never in clear.
        assertThat(jdbc.sql("SELECT token_hash FROM node_tokens WHERE node_id = 'node-a'")
                        .query(String.class)
                        .single())
                .isEqualTo(Sha256.hex(newToken.getBytes(StandardCharsets.UTF_8)));
        assertThat(jdbc.sql("SELECT token_secret FROM node_tokens WHERE node_id = 'node-a'")
                        .query(String.class)
                        .single())
                .doesNotContain(newToken);

        // The node still on the old token gets the new one in the reply...
        JsonNode withOld = heartbeat("node-a", TOKEN_A);
        assertThat(withOld.get("node_token").asString()).isEqualTo(newToken);
        assertThat(gateCode("node-a", TOKEN_A)).isEqualTo(Status.Code.OK);
        // ...and once it uses it, the reply carries no token.
        JsonNode withNew = heartbeat("node-a", newToken);
        assertThat(withNew.has("node_token")).isFalse();
        assertThat(gateCode("node-a", newToken)).isEqualTo(Status.Code.OK);
        // node-b is not affected, and never sees node-a's token.
        assertThat(heartbeat("node-b", TOKEN_B).toString()).doesNotContain(newToken);

        Thread.sleep(3_500);
        assertThat(postHeartbeat("node-a", TOKEN_A).status()).isEqualTo(401);
        assertThat(gateCode("node-a", TOKEN_A)).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(gateCode("node-a", newToken)).isEqualTo(Status.Code.OK);
    }

    @Test
    void aRotationWithoutGraceShutsTheOldTokenOutAtOnce() {
        // Checked a moment ago, so its hashes are kept in memory: the rotation must drop them.
        heartbeat("node-a", TOKEN_A);
        assertThat(gateCode("node-a", TOKEN_A)).isEqualTo(Status.Code.OK);
        Api.Response rotated = api.post("/api/v1/group-ai/servers/node-a/node-token/rotate", "{\"grace_seconds\": 0}");
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        assertThat(rotated.json().get("delivery").asString()).contains("bootstrap");
        assertThat(postHeartbeat("node-a", TOKEN_A).status()).isEqualTo(401);
        assertThat(gateCode("node-a", TOKEN_A)).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aDeletedServersTokenStopsWorkingAtOnce() {
        heartbeat("node-b", TOKEN_B);
        assertThat(api.delete("/api/v1/group-ai/servers/node-b").status()).isBetween(200, 299);
        Api.Response after = postHeartbeat("node-b", TOKEN_B);
        assertThat(after.status()).as(after.body()).isEqualTo(401);
        assertThat(gateCode("node-b", TOKEN_B)).isEqualTo(Status.Code.UNAUTHENTICATED);
        // A new server of that name with a new token: only the new token works.
        register("node-b", TOKEN_A.replace("node-a", "node-b2"));
        assertThat(gateCode("node-b", TOKEN_B)).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void rotationRefusesWhatItCannotDo() {
        assertThat(api.post("/api/v1/group-ai/servers/nope/node-token/rotate", "{}")
                        .status())
                .isEqualTo(404);
        Api.Response badGrace =
                api.post("/api/v1/group-ai/servers/node-a/node-token/rotate", "{\"grace_seconds\": -1}");
        assertThat(badGrace.status()).isEqualTo(400);
        assertThat(badGrace.body()).contains("grace_seconds");
        assertThat(api.post("/api/v1/group-ai/servers/node-a/node-token/rotate", "{\"grace_seconds\": \"soon\"}")
                        .status())
                .isEqualTo(400);
        Api.Response created = api.post("/api/v1/group-ai/servers", """
                {"node_id": "node-c", "host": "127.0.0.1", "user": "fleet", "deploy_dir": "/srv/node-c", "max_accounts": 1}""");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Api.Response noToken = api.post("/api/v1/group-ai/servers/node-c/node-token/rotate", "");
        assertThat(noToken.status()).as(noToken.body()).isEqualTo(409);
        assertThat(noToken.body()).contains("bootstrap");
        // Unchanged: node-a's token still works.
        assertThat(gateCode("node-a", TOKEN_A)).isEqualTo(Status.Code.OK);
    }

    @Test
    void bootstrapGeneratesA256BitTokenOnceAndKeepsIt() {
        Api.Response created = api.post("/api/v1/group-ai/servers", """
                {"node_id": "node-c", "host": "127.0.0.1", "user": "fleet", "deploy_dir": "/srv/node-c", "max_accounts": 1}""");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String issued = tokens.issueIfAbsent("node-c");
        assertThat(issued).matches("[A-Za-z0-9_-]{43}");
        assertThat(tokens.issueIfAbsent("node-c")).isEqualTo(issued);
        assertThat(tokens.issueIfAbsent("node-a")).isEqualTo(TOKEN_A);
        assertThat(tokens.match("node-c", issued)).isEqualTo(NodeTokenStore.Match.CURRENT);
        assertThat(tokens.match("node-a", issued)).isEqualTo(NodeTokenStore.Match.NONE);
    }

    private Status.Code gateCode(String nodeId, String token) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of(TemporalGate.NODE_ID_HEADER, Metadata.ASCII_STRING_MARSHALLER), nodeId);
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        try {
            WorkflowServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m))
                    .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    private JsonNode heartbeat(String nodeId, String token) {
        Api.Response r = postHeartbeat(nodeId, token);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private Api.Response postHeartbeat(String nodeId, String token) {
        return api.post(
                "/api/v1/workers/heartbeat",
                "{\"node_id\": \"" + nodeId + "\", \"status\": \"online\", \"accounts\": []}",
                "Authorization",
                "Bearer " + token);
    }

    private void register(String nodeId, String token) {
        Api.Response created = api.post("/api/v1/group-ai/servers", """
                {"node_id": "%s", "host": "127.0.0.1", "user": "fleet", "deploy_dir": "/srv/%s", "max_accounts": 3,
                 "node_token": "%s"}""".formatted(nodeId, nodeId, token));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        servers.recordProbe(nodeId, true, 100L, 10, 20, 30, 1);
    }
}
