package io.groupai.fleet.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import io.groupai.fleet.allocation.SessionTransferActivitiesImpl;
import io.groupai.fleet.nodes.sim.EmbeddedSshNode;
import io.groupai.fleet.nodes.ssh.InMemoryHostKeyStore;
import io.groupai.fleet.nodes.ssh.RemoteShell;
import io.groupai.fleet.nodes.ssh.SessionTransfer;
import io.groupai.fleet.nodes.ssh.SshCredentials;
import io.groupai.fleet.nodes.ssh.SshSessionPool;
import io.groupai.fleet.nodes.ssh.SshSettings;
import io.groupai.fleet.nodes.ssh.SshTarget;
import io.groupai.fleet.sessions.SessionStore;
import io.groupai.fleet.sessions.SessionStoreProperties;
import io.groupai.fleet.workflows.allocation.SessionTransferActivities;
import io.groupai.fleet.workflows.allocation.SessionTransferOptions;
import io.groupai.fleet.workflows.allocation.UploadedSession;
import io.temporal.activity.ActivityOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session transfer activities against an embedded SSH node, through Temporal's activity environment:
 * they heartbeat the bytes moved (the heartbeat timeout is what notices a stuck transfer), and an export
 * staged for download is staged under the attempt's own name and removed afterwards.
 */
class SessionTransferActivitiesHeartbeatTest {

    private static final String PASSWORD = "heartbeat-test-password";

    @TempDir
    Path base;

    EmbeddedSshNode node;
    SshSessionPool pool;
    TestActivityEnvironment env;
    SessionStore store;
    SessionTransferActivities activities;
    final List<Long> heartbeats = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        node = new EmbeddedSshNode("hb-node", base.resolve("hb-node"), 0, "fleet", PASSWORD, List.of()).start();
        pool = new SshSessionPool(
                new SshSettings(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), 2),
                new InMemoryHostKeyStore(),
                nodeId -> SshCredentials.Password.of(PASSWORD));
        RemoteShell shell = new RemoteShell(pool);
        store = new SessionStore(
                new SessionStoreProperties(base.resolve("store"), 1 << 30, 1 << 30),
                new io.groupai.fleet.registry.SecretCipher(new io.groupai.fleet.registry.SecretsProperties(
                        java.util.Base64.getEncoder().encodeToString(new byte[32]), null)));
        NodeTargets targets = new NodeTargets(null) {
            @Override
            public SshTarget of(String nodeId) {
                return node.target();
            }
        };
        env = TestActivityEnvironment.newInstance();
        env.registerActivitiesImplementations(
                new SessionTransferActivitiesImpl(store, new SessionTransfer(shell), shell, targets));
        env.setActivityHeartbeatListener(Long.class, heartbeats::add);
        activities = env.newActivityStub(
                SessionTransferActivities.class,
                ActivityOptions.newBuilder()
                        .setStartToCloseTimeout(SessionTransferOptions.START_TO_CLOSE)
                        .setHeartbeatTimeout(SessionTransferOptions.HEARTBEAT_TIMEOUT)
                        .build());
    }

    @AfterEach
    void tearDown() {
        env.close();
        pool.close();
        node.close();
    }

    @Test
    void uploadAndFetchHeartbeatTheBytesMovedAndLeaveNoStagedExport() throws Exception {
        byte[] archive = new byte[3 * 1024 * 1024];
        new Random().nextBytes(archive);
        Path temp = Files.write(store.newTempFile(), archive);
        store.store("acc-hb", temp);

        UploadedSession up = activities.upload("acc-hb", "hb-node");
        assertThat(up.sizeBytes()).isEqualTo(archive.length);
        // The SDK throttles heartbeats (and drops the last pending one on completion): the first one arrives.
        assertThat(heartbeats)
                .as("upload heartbeats")
                .isNotEmpty()
                .isSorted()
                .allMatch(b -> b >= 0 && b <= archive.length);

        // An export outside the sessions directory, as the agent writes it.
        heartbeats.clear();
        Path export = Files.write(
                Files.createDirectories(node.deployDir().resolve("exports")).resolve("acc-hb.zip"), archive);
        UploadedSession fetched = activities.fetchExported("acc-hb", "hb-node", export.toString(), up.sha256());
        assertThat(fetched.sha256()).isEqualTo(up.sha256());
        // The SDK throttles heartbeats (and drops the last pending one on completion): the first one arrives.
        assertThat(heartbeats)
                .as("download heartbeats")
                .isNotEmpty()
                .isSorted()
                .allMatch(b -> b >= 0 && b <= archive.length);
        try (Stream<Path> files = Files.list(node.deployDir().resolve("sessions/acc-hb"))) {
            assertThat(files.map(p -> p.getFileName().toString()).toList())
                    .as("only the uploaded session remains; the staged export is gone")
                    .containsExactly("session.zip");
        }
    }
}
