package io.groupai.fleet.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The outbox against real webhook receivers: JDK HttpServers on loopback. Runs on H2, and on
 * MySQL/MariaDB when DB_URL names one (CI's second pass).
 */
@Tag("database")
class AlertWebhookSenderTest {

    /** What a receiver got: headers that matter and the body. */
    record Received(String event, String signature, String delivery, String body) {}

    /** A receiver that answers {@code failuresFirst} requests with 500, then 204. */
    static final class Receiver implements AutoCloseable {
        final HttpServer server;
        final List<Received> received = new CopyOnWriteArrayList<>();
        final AtomicInteger requests = new AtomicInteger();

        Receiver(int failuresFirst) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/hook", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                int n = requests.incrementAndGet();
                int status = n <= failuresFirst ? 500 : 204;
                if (status == 204) {
                    received.add(new Received(
                            exchange.getRequestHeaders().getFirst(AlertWebhookSender.EVENT_HEADER),
                            exchange.getRequestHeaders().getFirst(AlertWebhookSender.SIGNATURE_HEADER),
                            exchange.getRequestHeaders().getFirst(AlertWebhookSender.DELIVERY_HEADER),
                            new String(body, StandardCharsets.UTF_8)));
                }
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private final AlertDatabase db = new AlertDatabase();

    @AfterEach
    void close() {
        db.shutdown();
    }

    private static AlertProperties fast(List<AlertProperties.Webhook> webhooks, int maxAttempts) {
        return backingOff(webhooks, maxAttempts, Duration.ofMillis(100));
    }

    private static AlertProperties backingOff(
            List<AlertProperties.Webhook> webhooks, int maxAttempts, Duration initial) {
        return new AlertProperties(
                webhooks,
                Duration.ofMillis(50),
                maxAttempts,
                initial,
                initial.multipliedBy(4),
                Duration.ofSeconds(5),
                90,
                Duration.ofSeconds(5));
    }

    @Test
    void aSignedDeliveryReachesTheReceiverOnceWithAVerifiableSignature() throws Exception {
        try (Receiver receiver = new Receiver(0)) {
            AlertProperties properties = fast(List.of(new AlertProperties.Webhook(receiver.url(), "hook-secret")), 5);
            AlertService alerts = db.service(properties);
            AlertWebhookSender sender = db.sender(properties);

            Alert alert = alerts.raise(
                    AlertKind.SERVER_DOWN, AlertSeverity.CRITICAL, "manila", null, "manila: no heartbeat for 3m");
            alerts.raise(AlertKind.SERVER_DOWN, AlertSeverity.CRITICAL, "manila", null, "manila: still no heartbeat");
            assertThat(sender.drainOnce()).isEqualTo(1);
            assertThat(sender.drainOnce()).isZero();

            assertThat(receiver.received).hasSize(1);
            Received got = receiver.received.get(0);
            assertThat(got.event()).isEqualTo("alert.raised");
            assertThat(got.signature()).isEqualTo("sha256=" + AlertWebhookSender.sign("hook-secret", got.body()));
            assertThat(got.body())
                    .contains("\"event\":\"raised\"")
                    .contains("\"kind\":\"server_down\"")
                    .contains("\"server_id\":\"manila\"")
                    .contains("\"id\":" + alert.id())
                    .doesNotContain("hook-secret");

            alerts.resolve(alert.id(), "heartbeats are back");
            assertThat(sender.drainOnce()).isEqualTo(1);
            assertThat(receiver.received).hasSize(2);
            assertThat(receiver.received.get(1).event()).isEqualTo("alert.resolved");
            assertThat(receiver.received.get(1).body())
                    .contains("\"open\":false")
                    .contains("heartbeats are back");
        }
    }

    @Test
    void anAlertIsDueAtOnceEvenWhenTheDatabaseRoundsItsTimeUp() throws Exception {
        try (Receiver receiver = new Receiver(0)) {
            // 0.6 ms into a millisecond: H2 stores TIMESTAMP(3) rounded half-up, to a time after "now".
            Clock frozen = Clock.fixed(Instant.parse("2026-12-02T06:00:00.123600Z"), ZoneOffset.UTC);
            AlertProperties properties = fast(List.of(new AlertProperties.Webhook(receiver.url(), null)), 5);
            AlertService alerts = db.service(properties, frozen);
            AlertWebhookSender sender = db.sender(properties, frozen);

            alerts.raise(AlertKind.DRIFT_FOUND, AlertSeverity.WARNING, "manila", null, "drift on manila");
            assertThat(sender.drainOnce()).isEqualTo(1);
            assertThat(receiver.received).hasSize(1);
        }
    }

    @Test
    void aReceiverThatFailsTwiceGetsTheAlertOnTheThirdAttemptAfterBackingOff() throws Exception {
        try (Receiver receiver = new Receiver(2)) {
            // Backoff long enough that a second round right after the first is surely early, on any database.
            AlertProperties properties =
                    backingOff(List.of(new AlertProperties.Webhook(receiver.url(), null)), 5, Duration.ofMillis(600));
            AlertService alerts = db.service(properties);
            AlertWebhookSender sender = db.sender(properties);

            alerts.raise(AlertKind.ALLOCATION_FAILED, AlertSeverity.WARNING, "manila", "639277356155", "upload failed");
            long started = System.nanoTime();
            assertThat(sender.drainOnce()).isZero(); // 500
            assertThat(sender.drainOnce()).isZero(); // backing off: not due yet, nothing sent
            assertThat(receiver.requests.get()).isEqualTo(1);

            awaitDelivered(sender, receiver);
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(receiver.requests.get()).isEqualTo(3);
            assertThat(receiver.received).hasSize(1);
            // Waits of at least 600 ms then 1,200 ms between the three attempts, on every database (retry
            // times are rounded up to the second, which MariaDB's TIMESTAMPs keep through Connector/J).
            assertThat(tookMillis).isGreaterThanOrEqualTo(1800);
            Map<String, Object> row = db.jdbc
                    .sql("SELECT status, attempts, last_error FROM alert_deliveries")
                    .query()
                    .singleRow();
            assertThat(row).containsEntry("status", "delivered").containsEntry("attempts", 3);
            assertThat(row.get("last_error")).isNull();
        }
    }

    @Test
    void aDeliveryIsGivenUpAfterMaxAttemptsAndKeptAsFailed() throws Exception {
        try (Receiver receiver = new Receiver(Integer.MAX_VALUE)) {
            AlertProperties properties = fast(List.of(new AlertProperties.Webhook(receiver.url(), null)), 3);
            db.service(properties)
                    .raise(AlertKind.DRIFT_FOUND, AlertSeverity.WARNING, "manila", null, "2 accounts drifted");
            AlertWebhookSender sender = db.sender(properties);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline && status().equals("pending")) {
                sender.drainOnce();
                Thread.sleep(20);
            }
            assertThat(status()).isEqualTo("failed");
            assertThat(receiver.requests.get()).isEqualTo(3);
            assertThat(db.jdbc
                            .sql("SELECT last_error FROM alert_deliveries")
                            .query(String.class)
                            .single())
                    .isEqualTo("HTTP 500");
        }
    }

    @Test
    void pendingDeliveriesSurviveARestartAndAnUnreachableWebhookDoesNotBlockAnother() throws Exception {
        try (Receiver receiver = new Receiver(0)) {
            String down = "http://127.0.0.1:9/unreachable"; // discard port: nothing listens
            AlertProperties properties = fast(
                    List.of(new AlertProperties.Webhook(down, null), new AlertProperties.Webhook(receiver.url(), null)),
                    5);
            // Raised while nothing drains the outbox (the app stops before the sender runs) ...
            db.service(properties)
                    .raise(
                            AlertKind.MIGRATION_FAILED,
                            AlertSeverity.WARNING,
                            "manila",
                            "639277356598",
                            "verify failed");
            db.service(properties)
                    .raise(AlertKind.ACCOUNT_DEAD, AlertSeverity.CRITICAL, "manila", "639277356599", "revoked");
            // ... and a new sender, as after a restart, delivers what the outbox holds.
            AlertWebhookSender afterRestart = db.sender(properties);
            assertThat(afterRestart.drainOnce()).isEqualTo(2);
            assertThat(receiver.received)
                    .extracting(Received::body)
                    .anySatisfy(b -> assertThat(b).contains("migration_failed"));
            assertThat(db.jdbc
                            .sql(
                                    "SELECT COUNT(*) FROM alert_deliveries WHERE webhook_url = ? AND status = 'pending' AND attempts = 1")
                            .param(down)
                            .query(Long.class)
                            .single())
                    .isEqualTo(1); // the second one to the same dead webhook waits for the next round
            // A sender without that webhook configured leaves its deliveries alone.
            AlertWebhookSender other = db.sender(fast(List.of(new AlertProperties.Webhook(receiver.url(), null)), 5));
            Thread.sleep(150);
            other.drainOnce();
            assertThat(db.jdbc
                            .sql("SELECT COUNT(*) FROM alert_deliveries WHERE webhook_url = ? AND status = 'pending'")
                            .param(down)
                            .query(Long.class)
                            .single())
                    .isEqualTo(2);
        }
    }

    @Test
    void backoffDoublesUpToTheMaximum() {
        AlertProperties p = AlertProperties.defaults(List.of());
        assertThat(p.backoffAfter(1)).isEqualTo(Duration.ofSeconds(5));
        assertThat(p.backoffAfter(2)).isEqualTo(Duration.ofSeconds(10));
        assertThat(p.backoffAfter(4)).isEqualTo(Duration.ofSeconds(40));
        assertThat(p.backoffAfter(30)).isEqualTo(Duration.ofMinutes(10));
    }

    private String status() {
        return db.jdbc
                .sql("SELECT status FROM alert_deliveries")
                .query(String.class)
                .single();
    }

    private static void awaitDelivered(AlertWebhookSender sender, Receiver receiver) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (receiver.received.isEmpty() && System.nanoTime() < deadline) {
            sender.drainOnce();
            Thread.sleep(20);
        }
    }
}
