package io.groupai.fleet.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.groupai.fleet.node.accounts.AccountRunner;
import io.groupai.fleet.node.heartbeat.HeartbeatService;
import io.groupai.fleet.sessionformat.testing.RealForeignSessions;
import io.groupai.fleet.workflows.FailureTypes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The heartbeat protocol, pending commands and lease fencing against an in-test control plane. */
class HeartbeatTest {

    @TempDir
    Path deployDir;

    FakeControlPlane controlPlane;
    MutableClock clock;
    NodeServices services;
    HeartbeatService heartbeat;

    @BeforeEach
    void setUp() throws Exception {
        controlPlane = new FakeControlPlane();
        clock = new MutableClock(Instant.parse("2026-11-22T04:00:00Z"));
        controlPlane.leaseExpiresAt = clock.instant().plusSeconds(60);
        services = new NodeServices(
                NodeConfig.from(NodeAgentActivitiesTest.config(controlPlane, deployDir, "1MB")), clock);
        heartbeat = services.heartbeat();
    }

    @AfterEach
    void tearDown() {
        services.close();
        controlPlane.close();
    }

    private void uploadSession(String accountId) throws Exception {
        Path dir = deployDir.resolve("sessions").resolve(accountId);
        Files.createDirectories(dir);
        Files.write(dir.resolve("session.zip"), TestFiles.zip(TestFiles.tdlibFiles()));
    }

    @Test
    void heartbeatReportsAccountsInTheSeedFormat() throws Exception {
        uploadSession("acc1");
        services.accounts().start("acc1", "welcome");
        assertThat(heartbeat.beat()).isTrue();

        JsonNode last = controlPlane.heartbeats.get(controlPlane.heartbeats.size() - 1);
        assertThat(last.get("node_id").asText()).isEqualTo("test-node");
        assertThat(last.get("status").asText()).isEqualTo("online");
        assertThat(last.get("account_count").asInt()).isEqualTo(1);
        JsonNode acc = last.get("accounts").get(0);
        assertThat(acc.get("account_id").asText()).isEqualTo("acc1");
        assertThat(acc.get("status").asText()).isEqualTo("online");
        assertThat(acc.get("script_id").asText()).isEqualTo("welcome");
        assertThat(acc.get("message_count").asLong()).isZero();
        assertThat(acc.get("reply_count").asLong()).isZero();
        assertThat(acc.get("session_file").asText()).isEqualTo("sessions/acc1/td");
        assertThat(acc.get("group_ids").isArray()).isTrue();
        assertThat(acc.has("last_activity")).isTrue();
        assertThat(last.has("acked_commands")).isFalse();
        assertThat(controlPlane.unauthorized).isEmpty();
        assertThat(last.toString()).doesNotContain(FakeControlPlane.TOKEN);
    }

    @Test
    void pendingCommandsAreExecutedAndAcknowledgedInTheNextHeartbeat() throws Exception {
        controlPlane.files.put(
                "s.yaml",
                "script_id: s\nversion: '3'\nscenes: [{id: a, triggers: [{type: new_member}], responses: [hi]}]\n"
                        .getBytes());
        controlPlane.files.put("acc9.zip", TestFiles.zip(TestFiles.tdlibFiles()));
        controlPlane.addCommand(
                12,
                "update_script",
                Map.of(
                        "script_id",
                        "s",
                        "version",
                        "3",
                        "download_url",
                        "/files/s.yaml",
                        "sha256",
                        NodeAgentActivitiesTest.sha256(controlPlane.files.get("s.yaml"))));
        controlPlane.addCommand(
                13,
                "upload_session",
                Map.of("account_id", "acc9", "session_url", controlPlane.url() + "/files/acc9.zip"));
        controlPlane.addCommand(15, "reboot_universe", Map.of());

        assertThat(heartbeat.beat()).isTrue();
        heartbeat.awaitCommands(Duration.ofSeconds(20));
        assertThat(deployDir.resolve("scripts/s/3.yaml")).exists();
        assertThat(deployDir.resolve("scripts/s/active")).hasContent("3");
        assertThat(deployDir.resolve("sessions/acc9/td/td.binlog")).exists();

        assertThat(heartbeat.beat()).isTrue();
        JsonNode second = controlPlane.heartbeats.get(1);
        assertThat(second.get("acked_commands")).extracting(JsonNode::asLong).containsExactly(12L, 13L);
        JsonNode failed = second.get("failed_commands");
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).get("id").asLong()).isEqualTo(15);
        assertThat(failed.get(0).get("error").asText()).contains("unknown command action 'reboot_universe'");

        // Reported once; a command re-sent before the control plane saw the ack is not run twice.
        controlPlane.addCommand(
                12,
                "update_script",
                Map.of(
                        "script_id",
                        "s",
                        "version",
                        "3",
                        "download_url",
                        "/files/missing",
                        "sha256",
                        NodeAgentActivitiesTest.sha256(
                                "script_id: s\nversion: '3'\nscenes: [{id: a, triggers: [{type: new_member}], responses: [hi]}]\n"
                                        .getBytes())));
        assertThat(heartbeat.beat()).isTrue();
        heartbeat.awaitCommands(Duration.ofSeconds(20));
        assertThat(heartbeat.beat()).isTrue();
        JsonNode fourth = controlPlane.heartbeats.get(3);
        assertThat(fourth.has("acked_commands")).isFalse();
        assertThat(fourth.has("failed_commands")).isFalse();
    }

    @Test
    void aSessionWhoseBytesAreNotTheOnesTheControlPlaneRecordedIsNotInstalled() throws Exception {
        byte[] archive = TestFiles.zip(TestFiles.tdlibFiles());
        controlPlane.files.put("bad.zip", archive);
        controlPlane.fileSha256.put("bad.zip", "0".repeat(64));
        controlPlane.files.put("good.zip", archive);
        controlPlane.fileSha256.put("good.zip", NodeAgentActivitiesTest.sha256(archive));
        controlPlane.addCommand(21, "upload_session", Map.of("account_id", "acc21", "session_url", "/files/bad.zip"));
        controlPlane.addCommand(22, "upload_session", Map.of("account_id", "acc22", "session_url", "/files/good.zip"));

        assertThat(heartbeat.beat()).isTrue();
        heartbeat.awaitCommands(Duration.ofSeconds(20));
        assertThat(deployDir.resolve("sessions/acc21/td")).doesNotExist();
        assertThat(deployDir.resolve("sessions/acc21/session.zip")).doesNotExist();
        assertThat(deployDir.resolve("sessions/acc22/td/td.binlog")).exists();
        assertThat(heartbeat.beat()).isTrue();
        JsonNode next = controlPlane.heartbeats.get(1);
        assertThat(next.get("acked_commands")).extracting(JsonNode::asLong).containsExactly(22L);
        JsonNode failed = next.get("failed_commands");
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).get("error").asText())
                .contains("account acc21", "upload-session", "SHA-256", "not installed");
    }

    @Test
    void aPyrogramSessionSentByCommandFailsWithTheExplanation() throws Exception {
        Path pyrogram = RealForeignSessions.pyrogram(deployDir.resolve("p.session"), 2, 5551234L);
        controlPlane.files.put("pyro.session", Files.readAllBytes(pyrogram));
        controlPlane.addCommand(
                14, "upload_session", Map.of("account_id", "acc10", "session_url", "/files/pyro.session"));

        assertThat(heartbeat.beat()).isTrue();
        heartbeat.awaitCommands(Duration.ofSeconds(20));
        assertThat(deployDir.resolve("sessions/acc10/td")).doesNotExist();
        assertThat(heartbeat.beat()).isTrue();
        JsonNode failed = controlPlane.heartbeats.get(1).get("failed_commands");
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).get("id").asLong()).isEqualTo(14);
        assertThat(failed.get(0).get("error").asText())
                .startsWith("node test-node, account acc10, step install-session: ")
                .contains("Pyrogram", "dc 2", "user id 5551234")
                .doesNotContain("type=");
    }

    @Test
    void failedHeartbeatKeepsAcksForTheNextOne() throws Exception {
        controlPlane.files.put(
                "s.yaml",
                "script_id: s\nversion: '1'\nscenes: [{id: a, triggers: [{type: new_member}], responses: [hi]}]\n"
                        .getBytes());
        controlPlane.addCommand(
                21,
                "update_script",
                Map.of(
                        "script_id",
                        "s",
                        "version",
                        "1",
                        "download_url",
                        "/files/s.yaml",
                        "sha256",
                        NodeAgentActivitiesTest.sha256(controlPlane.files.get("s.yaml"))));
        assertThat(heartbeat.beat()).isTrue();
        heartbeat.awaitCommands(Duration.ofSeconds(20));
        controlPlane.heartbeatDown = true;
        assertThat(heartbeat.beat()).isFalse();
        controlPlane.heartbeatDown = false;
        assertThat(heartbeat.beat()).isTrue();
        assertThat(controlPlane.heartbeats.get(1).get("acked_commands"))
                .extracting(JsonNode::asLong)
                .containsExactly(21L);
    }

    @Test
    void expiredLeaseStopsAccountsAndRefusesStartsUntilAHeartbeatSucceeds() throws Exception {
        uploadSession("acc1");
        services.accounts().start("acc1", null); // first start fetches the lease itself
        assertThat(heartbeat.lease().expiresAt()).isEqualTo(controlPlane.leaseExpiresAt);
        assertThat(heartbeat.checkLease()).isFalse();

        controlPlane.heartbeatDown = true;
        clock.advance(Duration.ofSeconds(30));
        assertThat(heartbeat.beat()).isFalse();
        assertThat(heartbeat.checkLease()).isFalse(); // still within the lease
        assertThat(services.accounts().isRunning("acc1")).isTrue();

        clock.advance(Duration.ofSeconds(31));
        assertThat(heartbeat.checkLease()).isTrue();
        assertThat(services.accounts().isRunning("acc1")).isFalse();
        assertThat(services.accounts().list().get(0).status()).isEqualTo("stopped");
        assertThat(services.accounts().list().get(0).detail()).contains("lease expired");
        assertThat(controlPlane.disconnects).containsExactly("acc1");

        assertThatThrownBy(() -> services.accounts().start("acc1", null))
                .isInstanceOfSatisfying(NodeOperationException.class, e -> {
                    assertThat(e.type()).isEqualTo(FailureTypes.LEASE_NOT_HELD);
                    assertThat(e.nonRetryable()).isFalse();
                    assertThat(e.getMessage()).contains("fencing");
                });

        controlPlane.heartbeatDown = false;
        controlPlane.leaseExpiresAt = clock.instant().plusSeconds(60);
        assertThat(services.accounts().start("acc1", null).status()).isEqualTo("online");
        assertThat(heartbeat.checkLease()).isFalse();
    }

    @Test
    void agentGivesUpOnceWhenNoHeartbeatIsAcceptedForTheConfiguredTime() {
        java.util.concurrent.atomic.AtomicInteger exits = new java.util.concurrent.atomic.AtomicInteger();
        heartbeat.exitWhenControlPlaneLost(Duration.ofMinutes(3), exits::incrementAndGet);
        assertThat(heartbeat.beat()).isTrue();

        controlPlane.heartbeatDown = true;
        clock.advance(Duration.ofMinutes(2));
        assertThat(heartbeat.beat()).isFalse();
        heartbeat.checkLease();
        assertThat(exits).as("2 of 3 minutes without contact").hasValue(0);

        // A heartbeat that gets through restarts the count.
        controlPlane.heartbeatDown = false;
        assertThat(heartbeat.beat()).isTrue();
        controlPlane.heartbeatDown = true;
        clock.advance(Duration.ofMinutes(2));
        heartbeat.checkLease();
        assertThat(exits).hasValue(0);

        clock.advance(Duration.ofMinutes(1));
        heartbeat.checkLease();
        assertThat(exits).as("3 minutes without contact").hasValue(1);
        clock.advance(Duration.ofMinutes(5));
        heartbeat.checkLease();
        assertThat(exits).as("only once").hasValue(1);
    }

    @Test
    void noLeaseEverGrantedMeansNoStart() {
        controlPlane.heartbeatDown = true;
        assertThatThrownBy(() -> services.accounts().start("acc1", null))
                .isInstanceOf(NodeOperationException.class)
                .hasMessageContaining("no valid lease");
        assertThat(controlPlane.connects).isEmpty();
    }

    @Test
    void seedControlPlaneWithoutLeaseFieldGrantsThreeIntervals() {
        // A reply without lease_expires_at (seed protocol): the lease is three heartbeat intervals.
        assertThat(heartbeat.beat()).isTrue();
        assertThat(heartbeat.lease().valid()).isTrue();
    }

    @Test
    void aRotatedTokenFromTheReplyIsUsedFromTheNextCallAndStored() throws Exception {
        Path file = Files.writeString(
                deployDir.resolve("worker-node.properties"),
                "#written by the control plane\nNODE_ID=test-node\nNODE_TOKEN=" + FakeControlPlane.TOKEN
                        + "\nHEARTBEAT_INTERVAL=30s\n");
        heartbeat.onTokenRotated(token -> {
            try {
                NodeConfig.storeToken(file, token);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String rotated = "rotated-token-abcdefghijklmnopqrstuvwxyz0123456789";
        controlPlane.rotatedToken = rotated;

        assertThat(heartbeat.beat()).isTrue();
        assertThat(heartbeat.beat()).isTrue();

        assertThat(controlPlane.heartbeatAuthorizations)
                .containsExactly("Bearer " + FakeControlPlane.TOKEN, "Bearer " + rotated);
        assertThat(services.http().token()).isEqualTo(rotated);
        String stored = Files.readString(file);
        assertThat(stored)
                .contains("NODE_TOKEN=" + rotated, "NODE_ID=test-node", "HEARTBEAT_INTERVAL=30s", "#written by")
                .doesNotContain(FakeControlPlane.TOKEN);
        assertThat(NodeConfig.load(new String[] {file.toString()}, java.util.Map.of("DEPLOY_DIR", deployDir.toString()))
                        .nodeToken())
                .isEqualTo(rotated);
        assertThat(java.nio.file.Files.getPosixFilePermissions(file))
                .containsExactlyInAnyOrder(
                        java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void agentStartBringsBackTheAccountsTheControlPlaneAssignsToIt() throws Exception {
        uploadSession("acc1");
        uploadSession("acc2");
        controlPlane.assignedAccounts.put("acc1", "welcome");
        controlPlane.assignedAccounts.put("acc2", "");
        controlPlane.assignedAccounts.put("acc3", ""); // assigned, but its session never reached this node

        assertThat(heartbeat.beat()).isTrue();
        heartbeat.awaitCommands(Duration.ofSeconds(10));

        assertThat(services.accounts().isRunning("acc1")).isTrue();
        assertThat(services.accounts().isRunning("acc2")).isTrue();
        assertThat(services.accounts().isRunning("acc3")).isFalse();
        assertThat(services.accounts().snapshots())
                .filteredOn(a -> a.accountId().equals("acc1"))
                .singleElement()
                .extracting(AccountRunner.Snapshot::scriptId)
                .isEqualTo("welcome");
        assertThat(controlPlane.connects).containsExactlyInAnyOrder("acc1@test-node", "acc2@test-node");

        assertThat(controlPlane.heartbeats.get(0).get("want_assigned_accounts").asBoolean())
                .isTrue();

        // Only after a start or a lapsed lease: an account stopped on purpose stays stopped on later beats.
        services.accounts().stop("acc2");
        assertThat(heartbeat.beat()).isTrue();
        assertThat(controlPlane.heartbeats.get(1).has("want_assigned_accounts"))
                .as("not asked for again")
                .isFalse();
        heartbeat.awaitCommands(Duration.ofSeconds(10));
        assertThat(services.accounts().isRunning("acc2")).isFalse();
    }

    @Test
    void aRenewedLeaseAfterALapseBringsBackOnlyTheAccountsStillAssignedHere() throws Exception {
        uploadSession("acc1");
        uploadSession("acc2");
        controlPlane.assignedAccounts.put("acc1", "");
        controlPlane.assignedAccounts.put("acc2", "");
        assertThat(heartbeat.beat()).isTrue();
        heartbeat.awaitCommands(Duration.ofSeconds(10));
        assertThat(services.accounts().runningCount()).isEqualTo(2);

        // The control plane is unreachable past the lease: the node fences itself.
        controlPlane.heartbeatDown = true;
        clock.advance(Duration.ofSeconds(61));
        assertThat(heartbeat.beat()).isFalse();
        assertThat(heartbeat.checkLease()).isTrue();
        assertThat(services.accounts().runningCount()).isZero();

        // Meanwhile failover moved acc2 to another node; the control plane comes back.
        controlPlane.assignedAccounts.remove("acc2");
        controlPlane.heartbeatDown = false;
        controlPlane.leaseExpiresAt = clock.instant().plusSeconds(60);
        assertThat(heartbeat.beat()).isTrue();
        heartbeat.awaitCommands(Duration.ofSeconds(10));

        assertThat(services.accounts().isRunning("acc1")).isTrue();
        assertThat(services.accounts().isRunning("acc2"))
                .as("moved away while fenced")
                .isFalse();
        // The first two started together (a batch starts concurrently), then only acc1 came back.
        assertThat(controlPlane.connects).hasSize(3);
        assertThat(controlPlane.connects.subList(0, 2)).containsExactlyInAnyOrder("acc1@test-node", "acc2@test-node");
        assertThat(controlPlane.connects.get(2)).isEqualTo("acc1@test-node");
        // Reported at once: the beat that renewed the lease had reported them stopped.
        JsonNode last = controlPlane.heartbeats.get(controlPlane.heartbeats.size() - 1);
        assertThat(last.get("accounts"))
                .extracting(a ->
                        a.get("account_id").asText() + ":" + a.get("status").asText())
                .contains("acc1:online");
    }

    /**
     * A fenced node retries every few seconds, not every interval: when the control plane comes back
     * (restarted after a long stop), its accounts wait for that heartbeat.
     */
    @Test
    void aNodeWithoutALeaseRetriesSoonerThanTheInterval() throws Exception {
        java.util.Map<String, String> config = NodeAgentActivitiesTest.config(controlPlane, deployDir, "1MB");
        config.put("HEARTBEAT_INTERVAL", "1m");
        try (NodeServices slow = new NodeServices(NodeConfig.from(config), clock)) {
            HeartbeatService beats = slow.heartbeat();
            beats.start();
            awaitTrue(() -> controlPlane.heartbeats.size() == 1);

            controlPlane.heartbeatDown = true;
            clock.advance(Duration.ofSeconds(61));
            awaitTrue(() -> !beats.lease().valid() && beats.checkLease());
            controlPlane.heartbeatDown = false;
            controlPlane.leaseExpiresAt = clock.instant().plusSeconds(60);
            long back = System.nanoTime();
            awaitTrue(() -> controlPlane.heartbeats.size() == 2);
            assertThat(Duration.ofNanos(System.nanoTime() - back))
                    .isLessThan(HeartbeatService.RETRY_WITHOUT_LEASE.plusSeconds(5));
            assertThat(beats.lease().valid()).isTrue();
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 15 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
