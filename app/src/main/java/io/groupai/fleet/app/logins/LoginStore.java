package io.groupai.fleet.app.logins;

import io.groupai.fleet.app.web.LongPollShutdown;
import io.groupai.fleet.registry.ConflictException;
import io.groupai.fleet.registry.NotFoundException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Interactive Telegram logins in progress (phone → code → 2FA password), held in memory only.
 *
 * <p>The values an operator types are secrets (DESIGN invariant 4): they are never written to the
 * database, never logged, never put into a Temporal payload and never echoed by the API (the phone is
 * shown masked). Each value waits here until the account's node fetches it with its long poll, is handed
 * out exactly once and then forgotten. A login untouched for the TTL is dropped with any value still
 * waiting, so a forgotten code does not linger; a control-plane restart forgets every login (the operator
 * starts again, nothing is lost that Telegram would still accept).
 */
@Component
public class LoginStore {

    private static final Logger log = LoggerFactory.getLogger(LoginStore.class);
    static final long MAX_POLL_MILLIS = 30_000;

    /** Login states; {@link #wire()} is the API's spelling. */
    public enum State {
        WAITING_PHONE,
        WAITING_CODE,
        WAITING_PASSWORD,
        AUTHORIZED,
        FAILED;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static State fromWire(String value) {
            for (State s : values()) {
                if (s.wire().equals(value)) {
                    return s;
                }
            }
            return null;
        }
    }

    /** One value for a node. {@link #toString()} hides it, so no log line can carry it by accident. */
    public record Delivery(String accountId, String step, String value) {
        @Override
        public String toString() {
            return "Delivery[" + accountId + ", " + step + ", value=***]";
        }
    }

    /** What the API shows: never a value, the phone only masked. {@code pendingStep}: a value not yet fetched. */
    public record View(
            String accountId,
            String state,
            String detail,
            String nodeId,
            String phone,
            String pendingStep,
            Instant updatedAt,
            Instant expiresAt) {}

    private static final class Login {
        final String accountId;
        final String nodeId;
        final String maskedPhone;
        State state = State.WAITING_PHONE;
        String detail;
        String pendingStep;
        String pendingValue;
        Instant updatedAt;

        Login(String accountId, String nodeId, String maskedPhone) {
            this.accountId = accountId;
            this.nodeId = nodeId;
            this.maskedPhone = maskedPhone;
        }
    }

    private final Clock clock;
    private final Duration ttl;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile boolean pollsEnded;
    private final Map<String, Login> logins = new HashMap<>();

    public LoginStore(Clock clock, @Value("${groupai.logins.ttl:10m}") Duration ttl) {
        this.clock = Objects.requireNonNull(clock);
        this.ttl = Objects.requireNonNull(ttl);
    }

    /** Starts (or restarts) the account's login on {@code nodeId} with the phone number for the node. */
    public View start(String accountId, String nodeId, String phoneNumber) {
        lock.lock();
        try {
            Login login = new Login(accountId, nodeId, maskPhone(phoneNumber));
            queue(login, "phone", phoneNumber);
            logins.put(accountId, login);
            log.info("account {}: login started on node {} for phone {}", accountId, nodeId, login.maskedPhone);
            return view(login);
        } finally {
            lock.unlock();
        }
    }

    /** Queues the code ({@code step} "code") or 2FA password ("password") for the node. */
    public View submit(String accountId, String step, String value) {
        lock.lock();
        try {
            Login login = live(accountId);
            State expected = "code".equals(step) ? State.WAITING_CODE : State.WAITING_PASSWORD;
            if (login.state != expected) {
                throw new ConflictException("the login of account " + accountId + " is " + login.state.wire()
                        + (login.pendingStep != null
                                ? " (its " + login.pendingStep + " is still on the way to node " + login.nodeId + ")"
                                : "")
                        + ", not " + expected.wire() + "; check GET /api/v1/group-ai/accounts/" + accountId + "/login");
            }
            queue(login, step, value);
            log.info("account {}: login {} queued for node {}", accountId, step, login.nodeId);
            return view(login);
        } finally {
            lock.unlock();
        }
    }

    public View view(String accountId) {
        lock.lock();
        try {
            return view(live(accountId));
        } finally {
            lock.unlock();
        }
    }

    /** Forgets the login and any value still waiting; false when there was none. */
    public boolean cancel(String accountId) {
        lock.lock();
        try {
            purgeExpired();
            return logins.remove(accountId) != null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The values waiting for {@code nodeId}, each handed out once; waits up to {@code timeoutMillis}
     * (at most {@value #MAX_POLL_MILLIS}) for one to arrive.
     */
    public List<Delivery> poll(String nodeId, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime()
                + TimeUnit.MILLISECONDS.toNanos(Math.min(Math.max(0, timeoutMillis), MAX_POLL_MILLIS));
        lock.lock();
        try {
            while (true) {
                purgeExpired();
                List<Delivery> out = new ArrayList<>();
                for (Login login : logins.values()) {
                    if (login.nodeId.equals(nodeId) && login.pendingValue != null) {
                        out.add(new Delivery(login.accountId, login.pendingStep, login.pendingValue));
                        login.detail = login.pendingStep + " handed to node " + nodeId + "; waiting for its answer";
                        login.pendingStep = null;
                        login.pendingValue = null; // once only: the node got it, the control plane forgets it
                        login.updatedAt = clock.instant();
                    }
                }
                if (!out.isEmpty()) {
                    out.forEach(d ->
                            log.info("account {}: login {} delivered to node {}", d.accountId(), d.step(), nodeId));
                    return out;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || pollsEnded) {
                    return List.of();
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The node says where the login stands. 404 when no login of this node is in progress for the account. */
    public View report(String nodeId, String accountId, State state, String detail) {
        lock.lock();
        try {
            purgeExpired();
            Login login = logins.get(accountId);
            if (login == null || !login.nodeId.equals(nodeId)) {
                throw new NotFoundException("no login of account " + accountId + " is in progress on node " + nodeId
                        + " (expired after " + ttl.toMinutes() + " min, cancelled or restarted)");
            }
            login.state = state;
            login.detail = detail == null ? "" : detail;
            login.updatedAt = clock.instant();
            log.info("account {}: login {} reported by node {} ({})", accountId, state.wire(), nodeId, login.detail);
            return view(login);
        } finally {
            lock.unlock();
        }
    }

    /** "+4915112345678" → "+49*********78": enough to recognise the number, not enough to dial it. */
    static String maskPhone(String phone) {
        if (phone == null || phone.length() < 6) {
            return "***";
        }
        return phone.substring(0, 3) + "*".repeat(phone.length() - 5) + phone.substring(phone.length() - 2);
    }

    private void queue(Login login, String step, String value) {
        login.pendingStep = step;
        login.pendingValue = value;
        login.detail = step + " waiting for node " + login.nodeId + " to fetch it";
        login.updatedAt = clock.instant();
        changed.signalAll();
    }

    private Login live(String accountId) {
        purgeExpired();
        Login login = logins.get(accountId);
        if (login == null) {
            throw new NotFoundException("no login is in progress for account " + accountId
                    + "; start one with POST /api/v1/group-ai/accounts/" + accountId
                    + "/login {\"phone_number\": \"+49...\"}");
        }
        return login;
    }

    /** Only under the lock. */
    private void purgeExpired() {
        Instant now = clock.instant();
        logins.values().removeIf(login -> {
            boolean expired = login.updatedAt.plus(ttl).isBefore(now);
            if (expired) {
                log.info(
                        "account {}: login forgotten after {} min without progress{}",
                        login.accountId,
                        ttl.toMinutes(),
                        login.pendingStep != null
                                ? " (its " + login.pendingStep + " was never fetched by node " + login.nodeId + ")"
                                : "");
            }
            return expired;
        });
    }

    private View view(Login login) {
        return new View(
                login.accountId,
                login.state.wire(),
                login.detail,
                login.nodeId,
                login.maskedPhone,
                login.pendingStep,
                login.updatedAt,
                login.updatedAt.plus(ttl));
    }

    /**
     * Answers every long poll now, and each later one at once: the app is shutting down, and a
     * poll held open would hold up the web server's graceful shutdown for its full timeout.
     */
    public void endPolls() {
        pollsEnded = true;
        LongPollShutdown.wakeAll(lock, changed);
    }

    /** Polls wait again (the context was started again after a stop, e.g. a paused test context). */
    public void resumePolls() {
        pollsEnded = false;
    }
}
