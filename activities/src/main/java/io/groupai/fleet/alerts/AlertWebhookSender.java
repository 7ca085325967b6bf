package io.groupai.fleet.alerts;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Drains the alert outbox ({@code alert_deliveries}) to the configured webhooks: one POST per
 * delivery, 2xx is delivered; anything else is retried with exponential backoff
 * ({@link AlertProperties#backoffAfter}) until {@code maxAttempts}, then kept as {@code failed}.
 * Deliveries to a URL no longer configured stay pending (and are sent if it comes back). Within one
 * round a webhook that failed gets nothing more, so its deliveries keep their order.
 */
@Component
public class AlertWebhookSender implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AlertWebhookSender.class);
    private static final int BATCH = 100;
    public static final String SIGNATURE_HEADER = "X-GroupAI-Signature";
    public static final String EVENT_HEADER = "X-GroupAI-Event";
    public static final String DELIVERY_HEADER = "X-GroupAI-Delivery";

    private record Due(long id, long alertId, String event, String url, String payload, int attempts) {}

    private final JdbcClient jdbc;
    private final AlertProperties properties;
    private final Clock clock;
    private final HttpClient http;
    private final Map<String, AlertProperties.Webhook> webhooks;
    private ScheduledExecutorService scheduler;

    public AlertWebhookSender(JdbcClient jdbc, AlertProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.clock = clock;
        this.http = HttpClient.newBuilder()
                .connectTimeout(properties.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.webhooks = properties.webhooks().stream()
                .collect(Collectors.toMap(AlertProperties.Webhook::url, Function.identity(), (a, b) -> a));
    }

    /** One round: every due delivery to a configured webhook gets one attempt. Returns how many were delivered. */
    public synchronized int drainOnce() {
        if (webhooks.isEmpty()) {
            return 0;
        }
        List<Object> params = new ArrayList<>();
        params.add(Timestamp.from(clock.instant()));
        params.addAll(webhooks.keySet());
        params.add(BATCH);
        List<Due> due = jdbc.sql("SELECT id, alert_id, event, webhook_url, payload, attempts FROM alert_deliveries"
                        + " WHERE status = 'pending' AND next_attempt_at <= ? AND webhook_url IN ("
                        + String.join(", ", Collections.nCopies(webhooks.size(), "?")) + ") ORDER BY id LIMIT ?")
                .params(params)
                .query((rs, i) -> new Due(
                        rs.getLong("id"),
                        rs.getLong("alert_id"),
                        rs.getString("event"),
                        rs.getString("webhook_url"),
                        rs.getString("payload"),
                        rs.getInt("attempts")))
                .list();
        Set<String> failedThisRound = new HashSet<>();
        int delivered = 0;
        for (Due d : due) {
            if (failedThisRound.contains(d.url())) {
                continue;
            }
            String error = send(d);
            int attempts = d.attempts() + 1;
            if (error == null) {
                jdbc.sql("UPDATE alert_deliveries SET status = 'delivered', attempts = ?, delivered_at = ?,"
                                + " last_error = NULL WHERE id = ?")
                        .params(attempts, Timestamp.from(clock.instant()), d.id())
                        .update();
                delivered++;
                continue;
            }
            failedThisRound.add(d.url());
            boolean giveUp = attempts >= properties.maxAttempts();
            jdbc.sql("UPDATE alert_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?"
                            + " WHERE id = ?")
                    .params(
                            giveUp ? "failed" : "pending",
                            attempts,
                            Timestamp.from(nextAttempt(clock.instant(), properties.backoffAfter(attempts))),
                            error.length() > 1024 ? error.substring(0, 1024) : error,
                            d.id())
                    .update();
            if (giveUp) {
                log.error(
                        "alert {} ({}) could not be delivered to {} after {} attempts, giving up: {}",
                        d.alertId(),
                        d.event(),
                        redacted(d.url()),
                        attempts,
                        error);
            } else {
                log.warn(
                        "alert {} ({}) delivery to {} failed (attempt {} of {}), retrying in {}: {}",
                        d.alertId(),
                        d.event(),
                        redacted(d.url()),
                        attempts,
                        properties.maxAttempts(),
                        properties.backoffAfter(attempts),
                        error);
            }
        }
        return delivered;
    }

    /** Null when delivered, else why not. */
    private String send(Due d) {
        AlertProperties.Webhook webhook = webhooks.get(d.url());
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(d.url()))
                    .timeout(properties.requestTimeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "group-ai-fleet-alerts")
                    .header(EVENT_HEADER, "alert." + d.event())
                    .header(DELIVERY_HEADER, Long.toString(d.id()))
                    .POST(HttpRequest.BodyPublishers.ofString(d.payload(), StandardCharsets.UTF_8));
            if (webhook.secret() != null && !webhook.secret().isBlank()) {
                request.header(SIGNATURE_HEADER, "sha256=" + sign(webhook.secret(), d.payload()));
            }
            HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() / 100 == 2 ? null : "HTTP " + response.statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (Exception e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
    }

    /** Hex HMAC-SHA256 of the body under the webhook's secret, as receivers check it. */
    public static String sign(String secret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Scheme, host, port and path: a query string may carry a token. */
    static String redacted(String url) {
        try {
            URI uri = URI.create(url);
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                    + (uri.getPath() == null ? "" : uri.getPath());
        } catch (IllegalArgumentException e) {
            return "<invalid url>";
        }
    }

    @Override
    public synchronized void start() {
        if (webhooks.isEmpty() || scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "alert-webhooks");
            t.setDaemon(true);
            return t;
        });
        long every = properties.deliveryInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::drainQuietly, every, every, TimeUnit.MILLISECONDS);
        log.info("alert webhooks: {} every {}", webhooks.values(), properties.deliveryInterval());
    }

    private void drainQuietly() {
        try {
            drainOnce();
        } catch (RuntimeException e) {
            // The database may be briefly unavailable; the next round tries again.
            log.warn("alert outbox round failed: {}", e.toString());
        }
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }

    /**
     * Rounded up to the whole second: Connector/J writes MariaDB TIMESTAMPs without fractional seconds
     * (it takes MariaDB for server 5.5.5), and a truncated time would make a retry due before its backoff.
     */
    static Instant nextAttempt(Instant now, Duration backoff) {
        Instant due = now.plus(backoff);
        Instant second = due.truncatedTo(ChronoUnit.SECONDS);
        return second.equals(due) ? due : second.plusSeconds(1);
    }
}
