package io.groupai.fleet.node.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.groupai.fleet.node.ControlPlaneHttp;
import io.groupai.fleet.node.FakeControlPlane;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The SIMULATED Telegram client against the in-test simulated network. */
class SimulatedTelegramRuntimeTest {

    /** A database key as the control plane hands it out (base64 of 32 bytes). */
    static final String KEY = "dGVzdC1kYXRhYmFzZS1rZXktMDEyMzQ1Njc4OWFiY2Q=";

    record Event(String kind, String value) {}

    static final class Recorder implements TelegramListener {
        final List<Event> events = new CopyOnWriteArrayList<>();
        final List<TelegramUpdate> updates = new CopyOnWriteArrayList<>();

        @Override
        public void onUpdate(TelegramUpdate update) {
            updates.add(update);
        }

        @Override
        public void onState(String accountId, TelegramAccountState state, String detail) {
            events.add(new Event("state", state.status()));
        }

        @Override
        public void onAuthorized(String accountId, TelegramUser me) {
            events.add(new Event("me", Long.toString(me.userId())));
        }
    }

    @Test
    void deliversUpdatesInOrderReportsOutagesAndMapsFloodWait() throws Exception {
        try (FakeControlPlane cp = new FakeControlPlane();
                SimulatedTelegramRuntime runtime = new SimulatedTelegramRuntime(
                        new ControlPlaneHttp(cp.url(), FakeControlPlane.TOKEN), "n1", Duration.ofMillis(300))) {
            Recorder rec = new Recorder();
            assertThat(runtime.start("acc1", Path.of("unused"), KEY, rec)).isEqualTo(TelegramAccountState.ONLINE);
            assertThat(runtime.start("acc1", Path.of("unused"), KEY, rec)).isEqualTo(TelegramAccountState.ONLINE);
            assertThat(cp.connects).containsExactly("acc1@n1");
            assertThat(rec.events.get(0).kind()).isEqualTo("me");

            cp.pushUpdate("acc1", "new_member", -1001L, "G", 7L, "Ana", null);
            cp.pushUpdate("acc1", "new_message", -1001L, "G", 7L, "Ana", "hi");
            await(() -> rec.updates.size() == 2);
            assertThat(rec.updates)
                    .extracting(TelegramUpdate::type)
                    .containsExactly(TelegramUpdate.Type.NEW_MEMBER, TelegramUpdate.Type.NEW_MESSAGE);
            assertThat(rec.updates.get(1).text()).isEqualTo("hi");
            assertThat(rec.updates.get(1).chatTitle()).isEqualTo("G");

            cp.simUpdatesDown = true;
            await(() -> rec.events.contains(new Event("state", "offline")));
            cp.simUpdatesDown = false;
            await(() -> rec.events.get(rec.events.size() - 1).equals(new Event("state", "online")));

            cp.simFloodWait = true;
            assertThatThrownBy(() -> runtime.sendMessage("acc1", -1001L, "x"))
                    .isInstanceOfSatisfying(TelegramException.class, e -> {
                        assertThat(e.kind()).isEqualTo(TelegramException.Kind.FLOOD_WAIT);
                        assertThat(e.retryAfter()).isPositive();
                        assertThat(e.retryable()).isTrue();
                    });
            cp.simFloodWait = false;
            assertThat(runtime.sendMessage("acc1", -1001L, "x")).isPositive();
            assertThatThrownBy(() -> runtime.sendMessage("other", -1001L, "x"))
                    .isInstanceOfSatisfying(
                            TelegramException.class,
                            e -> assertThat(e.kind()).isEqualTo(TelegramException.Kind.NOT_RUNNING));

            runtime.stop("acc1");
            runtime.stop("acc1");
            assertThat(cp.disconnects).containsExactly("acc1");
            assertThat(rec.events.get(rec.events.size() - 1)).isEqualTo(new Event("state", "stopped"));
            assertThat(cp.unauthorized).isEmpty();
        }
    }

    /**
     * The control plane restarted while this node kept the account running (shorter than a lease): its
     * in-memory network forgot the connection and numbers updates from 1 again. The account connects again
     * and reads the new updates, instead of polling offline for good.
     */
    @Test
    void anAccountTheRestartedNetworkForgotConnectsAgainAndReadsFromTheStart() throws Exception {
        try (FakeControlPlane cp = new FakeControlPlane();
                SimulatedTelegramRuntime runtime = new SimulatedTelegramRuntime(
                        new ControlPlaneHttp(cp.url(), FakeControlPlane.TOKEN), "n1", Duration.ofMillis(300))) {
            Recorder rec = new Recorder();
            runtime.start("acc1", Path.of("unused"), KEY, rec);
            for (int i = 0; i < 5; i++) {
                cp.pushUpdate("acc1", "new_message", -1001L, "G", 7L, "Ana", "before " + i);
            }
            await(() -> rec.updates.size() == 5);

            cp.simRestart();
            await(() -> cp.connects.size() == 2);
            cp.pushUpdate("acc1", "new_message", -1001L, "G", 7L, "Ana", "after the restart");
            await(() -> rec.updates.size() == 6);
            assertThat(rec.updates.get(5).text()).isEqualTo("after the restart");
            assertThat(cp.connects).containsExactly("acc1@n1", "acc1@n1");
            assertThat(rec.events).doesNotContain(new Event("state", "offline"));
        }
    }

    @Test
    void anAccountWithoutItsDatabaseKeyIsNotStarted() throws Exception {
        try (FakeControlPlane cp = new FakeControlPlane();
                SimulatedTelegramRuntime runtime = new SimulatedTelegramRuntime(
                        new ControlPlaneHttp(cp.url(), FakeControlPlane.TOKEN), "n1", Duration.ofMillis(300))) {
            for (String missing : new String[] {null, "", "  "}) {
                assertThatThrownBy(() -> runtime.start("acc1", Path.of("unused"), missing, new Recorder()))
                        .isInstanceOfSatisfying(TelegramException.class, e -> {
                            assertThat(e.kind()).isEqualTo(TelegramException.Kind.REJECTED);
                            assertThat(e.getMessage()).contains("acc1", "database encryption key");
                        });
            }
            assertThat(cp.connects).isEmpty();
        }
    }

    @Test
    void wrongTokenIsARejectedConnect() throws Exception {
        try (FakeControlPlane cp = new FakeControlPlane();
                SimulatedTelegramRuntime runtime = new SimulatedTelegramRuntime(
                        new ControlPlaneHttp(cp.url(), "wrong"), "n1", Duration.ofMillis(300))) {
            assertThatThrownBy(() -> runtime.start("acc1", Path.of("unused"), KEY, new Recorder()))
                    .isInstanceOfSatisfying(TelegramException.class, e -> {
                        assertThat(e.kind()).isEqualTo(TelegramException.Kind.REJECTED);
                        assertThat(e.getMessage()).contains("401").doesNotContain("wrong");
                    });
        }
    }

    @Test
    void differentAccountsConnectAtTheSameTime() throws Exception {
        try (FakeControlPlane cp = new FakeControlPlane();
                SimulatedTelegramRuntime runtime = new SimulatedTelegramRuntime(
                        new ControlPlaneHttp(cp.url(), FakeControlPlane.TOKEN), "n1", Duration.ofMillis(300));
                var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            // Each connect waits at the network until three are there together (bounded): started one by one,
            // never more than one would be.
            cp.connectRendezvous = 3;
            List<java.util.concurrent.CompletableFuture<TelegramAccountState>> starts =
                    List.of("c1", "c2", "c3").stream()
                            .map(id -> java.util.concurrent.CompletableFuture.supplyAsync(
                                    () -> {
                                        try {
                                            return runtime.start(id, Path.of("unused"), "key-" + id, new Recorder());
                                        } catch (TelegramException e) {
                                            throw new java.util.concurrent.CompletionException(e);
                                        }
                                    },
                                    threads))
                            .toList();
            for (var start : starts) {
                assertThat(start.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(TelegramAccountState.ONLINE);
            }
            assertThat(cp.maxConnectsInFlight.get()).isEqualTo(3);
            assertThat(cp.connects).containsExactlyInAnyOrder("c1@n1", "c2@n1", "c3@n1");
        }
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(20);
        }
    }
}
