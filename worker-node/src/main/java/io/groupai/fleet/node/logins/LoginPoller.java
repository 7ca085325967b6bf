package io.groupai.fleet.node.logins;

import io.groupai.fleet.node.ControlPlaneHttp;
import io.groupai.fleet.node.ControlPlaneHttp.HttpStatusException;
import io.groupai.fleet.node.telegram.LoginProgress;
import io.groupai.fleet.node.telegram.LoginState;
import io.groupai.fleet.node.telegram.LoginStep;
import io.groupai.fleet.node.telegram.TelegramException;
import io.groupai.fleet.node.telegram.TelegramRuntime;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries interactive logins (phone → code → 2FA password) from the control plane to the Telegram
 * runtime over the node's authenticated HTTP channel, never through Temporal: the values are secrets
 * and workflow history is durable (DESIGN invariant 4).
 *
 * <p>One thread long-polls {@code GET /api/v1/workers/{node}/logins?timeout_ms=...}; the control plane
 * hands each value out once. Each delivery is submitted on its own virtual thread (a TDLib step may
 * wait out a FLOOD_WAIT) and the state reached is reported with
 * {@code POST /api/v1/workers/{node}/logins/{account}/state}. Values live only on the stack of that
 * thread and are never logged.
 */
public final class LoginPoller implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LoginPoller.class);
    private static final Duration REPORT_TIMEOUT = Duration.ofSeconds(10);

    /** Makes sure the account has a client before a login step is submitted (lease-fenced start). */
    @FunctionalInterface
    public interface AccountStarter {
        void ensureStarted(String accountId) throws Exception;
    }

    /** One login value handed to this node. {@link #toString()} hides the value. */
    record Delivery(String accountId, String step, String value) {
        @Override
        public String toString() {
            return "Delivery[" + accountId + ", " + step + ", value=***]";
        }
    }

    record StateReport(String state, String detail) {}

    private final ControlPlaneHttp http;
    private final String nodeId;
    private final TelegramRuntime runtime;
    private final AccountStarter starter;
    private final Duration pollTimeout;
    // One step at a time per account: an operator re-sending a code must not race the first one in TDLib.
    private final Map<String, ReentrantLock> accountLocks = new ConcurrentHashMap<>();
    private volatile boolean stopped;
    private volatile Thread thread;

    public LoginPoller(
            ControlPlaneHttp http,
            String nodeId,
            TelegramRuntime runtime,
            AccountStarter starter,
            Duration pollTimeout) {
        this.http = Objects.requireNonNull(http, "http");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.starter = Objects.requireNonNull(starter, "starter");
        this.pollTimeout = Objects.requireNonNull(pollTimeout, "pollTimeout");
    }

    public synchronized void start() {
        if (thread == null) {
            thread = Thread.ofPlatform().daemon(true).name("login-poller").start(this::loop);
        }
    }

    private void loop() {
        long pauseMs = 500;
        String path = "/api/v1/workers/" + enc(nodeId) + "/logins?timeout_ms=" + pollTimeout.toMillis();
        while (!stopped) {
            try {
                Delivery[] deliveries = http.getJson(path, Delivery[].class, pollTimeout.plusSeconds(10));
                pauseMs = 500;
                if (deliveries != null) {
                    for (Delivery d : deliveries) {
                        Thread.ofVirtual().name("login-" + d.accountId()).start(() -> handle(d));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException e) {
                if (stopped) {
                    return;
                }
                // The control plane may be restarting; logins are not urgent enough to hammer it.
                log.warn("login poll failed ({}); retrying in {} ms", ControlPlaneHttp.describe(e), pauseMs);
                try {
                    Thread.sleep(pauseMs);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                pauseMs = Math.min(pauseMs * 2, 30_000);
            }
        }
    }

    /** Submits one delivered value and reports where the login stands. Package-private for tests. */
    void handle(Delivery d) {
        Optional<LoginStep> step = LoginStep.fromWire(d.step());
        if (d.accountId() == null || step.isEmpty()) {
            log.warn("ignoring a login delivery for account {} with unknown step {}", d.accountId(), d.step());
            return;
        }
        ReentrantLock lock = accountLocks.computeIfAbsent(d.accountId(), id -> new ReentrantLock());
        lock.lock();
        try {
            submitAndReport(d, step.get());
        } finally {
            lock.unlock();
        }
    }

    private void submitAndReport(Delivery d, LoginStep step) {
        LoginProgress progress;
        try {
            starter.ensureStarted(d.accountId());
            progress = runtime.submitLogin(d.accountId(), step, d.value());
        } catch (TelegramException e) {
            progress = new LoginProgress(LoginState.FAILED, e.kind() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            progress = new LoginProgress(LoginState.FAILED, "the node was interrupted while logging in");
        } catch (Exception e) {
            // e.g. the lease is not held, so the account may not start here: the operator learns why.
            progress = new LoginProgress(
                    LoginState.FAILED, "cannot start the account on " + nodeId + ": " + ControlPlaneHttp.describe(e));
        }
        log.info(
                "account {}: login step {} -> {} ({})",
                d.accountId(),
                step.wire(),
                progress.state().wire(),
                progress.detail());
        report(d.accountId(), progress);
    }

    private void report(String accountId, LoginProgress progress) {
        try {
            http.postJson(
                    "/api/v1/workers/" + enc(nodeId) + "/logins/" + enc(accountId) + "/state",
                    new StateReport(progress.state().wire(), progress.detail()),
                    Void.class,
                    REPORT_TIMEOUT);
        } catch (HttpStatusException e) {
            // 404: the login expired or was replaced on the control plane meanwhile; nothing to retry.
            log.warn("account {}: login state not accepted by the control plane: {}", accountId, e.getMessage());
        } catch (IOException e) {
            log.warn("account {}: could not report the login state: {}", accountId, ControlPlaneHttp.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("account {}: interrupted while reporting the login state", accountId);
        }
    }

    @Override
    public void close() {
        stopped = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
