package io.groupai.fleet.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.groupai.fleet.node.heartbeat.HeartbeatService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the dialogue managers learn from the control plane through the heartbeat: the fleet's Telegram
 * user ids (never answered) and each account's allowed groups, downloaded once per version; and the
 * reply trigger, fired by a message answering the account's own message (simulated runtime, real agent
 * services against an in-test control plane).
 */
class FleetDialogueTest {

    static final long GROUP = -100123L;
    static final long OTHER_GROUP = -100999L;
    static final long FLEET_MATE = 555L;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path deployDir;

    FakeControlPlane controlPlane;
    NodeServices services;
    HeartbeatService heartbeat;

    @BeforeEach
    void setUp() throws Exception {
        controlPlane = new FakeControlPlane();
        MutableClock clock = new MutableClock(Instant.now());
        services = new NodeServices(
                NodeConfig.from(NodeAgentActivitiesTest.config(controlPlane, deployDir, "1MB")), clock);
        heartbeat = services.heartbeat();
        Path script = Files.createDirectories(deployDir.resolve("scripts/chat"));
        Files.writeString(script.resolve("1.yaml"), """
                script_id: chat
                version: "1"
                scenes:
                  - id: greet
                    triggers: [{type: keyword, keywords: [hello]}]
                    responses: ["hi {{first_name}}"]
                  - id: answer
                    triggers: [{type: reply}]
                    responses: ["you answered me, {{first_name}}"]
                """);
        Files.writeString(script.resolve("active"), "1");
        Path session = Files.createDirectories(deployDir.resolve("sessions/acc1"));
        Files.write(session.resolve("session.zip"), TestFiles.zip(TestFiles.tdlibFiles()));
    }

    @AfterEach
    void tearDown() {
        services.close();
        controlPlane.close();
    }

    private void beat() throws Exception {
        assertThat(heartbeat.beat()).isTrue();
        heartbeat.awaitCommands(Duration.ofSeconds(20));
    }

    private List<String> awaitSent(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (controlPlane.sentMessages.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(200); // anything more that was going to be sent
        return controlPlane.sentMessages.stream()
                .map(m -> m.get("chat_id").asLong() + ":" + m.get("text").asText())
                .toList();
    }

    @Test
    void fleetAccountsAreNeverAnsweredAndScriptsRunOnlyInTheAccountsGroups() throws Exception {
        controlPlane.dialogue = JSON.readTree("""
                {"version": "v1", "fleet_user_ids": [%d, 777], "account_groups": {"acc1": [%d]}}""".formatted(FLEET_MATE, GROUP));
        services.accounts().start("acc1", "chat");
        beat();
        beat();
        // Downloaded once: the heartbeat carries only the version.
        assertThat(controlPlane.dialogueDownloads).hasValue(1);
        assertThat(heartbeat.dialogueVersion()).isEqualTo("v1");
        assertThat(services.accounts().isFleetUser(FLEET_MATE)).isTrue();
        assertThat(services.accounts().isFleetUser(42)).isFalse();
        assertThat(services.accounts().accountGroups("acc1")).containsExactly(GROUP);
        // The node reports which Telegram user each account is, so the control plane can tell the others.
        JsonNode reported = controlPlane.heartbeats.getLast().get("accounts").get(0);
        assertThat(reported.get("telegram_user_id").asLong()).isEqualTo(FakeControlPlane.simulatedUserId("acc1"));

        controlPlane.pushUpdate("acc1", "new_message", GROUP, "Test Group", FLEET_MATE, "Mate", "hello");
        controlPlane.pushUpdate("acc1", "new_message", OTHER_GROUP, "Elsewhere", 42L, "Ana", "hello");
        controlPlane.pushUpdate("acc1", "new_message", GROUP, "Test Group", 42L, "Ana", "hello");
        assertThat(awaitSent(1)).containsExactly(GROUP + ":hi Ana");

        // A new version lifts the restriction: applied to the running account without a restart.
        controlPlane.dialogue = JSON.readTree("""
                {"version": "v2", "fleet_user_ids": [%d], "account_groups": {}}""".formatted(FLEET_MATE));
        beat();
        assertThat(controlPlane.dialogueDownloads).hasValue(2);
        assertThat(services.accounts().accountGroups("acc1")).isEmpty();
        assertThat(services.accounts().isFleetUser(777)).isFalse();
        controlPlane.pushUpdate("acc1", "new_message", OTHER_GROUP, "Elsewhere", FLEET_MATE, "Mate", "hello");
        controlPlane.pushUpdate("acc1", "new_message", OTHER_GROUP, "Elsewhere", 43L, "Bo", "hello");
        assertThat(awaitSent(2)).containsExactly(GROUP + ":hi Ana", OTHER_GROUP + ":hi Bo");
        assertThat(controlPlane.unauthorized).isEmpty();
    }

    @Test
    void aReplyToTheAccountsOwnMessageFiresTheReplyTrigger() throws Exception {
        services.accounts().start("acc1", "chat");
        long self = FakeControlPlane.simulatedUserId("acc1");
        controlPlane.pushReply("acc1", GROUP, 43L, "Bob", "sure", 1000, 777L); // answers someone else
        controlPlane.pushUpdate("acc1", "new_message", GROUP, "Test Group", 43L, "Bob", "no reply at all");
        controlPlane.pushReply("acc1", GROUP, 44L, "Chen", "thanks!", 1001, self);
        assertThat(awaitSent(1)).containsExactly(GROUP + ":you answered me, Chen");
        assertThat(Set.copyOf(controlPlane.sentMessages)).hasSize(1);
    }
}
