package io.groupai.fleet.nodes.ssh;

import com.jcraft.jsch.Channel;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded pool of authenticated JSch sessions, at most {@link SshSettings#maxSessionsPerServer()}
 * per server. A session carries up to {@link #CHANNELS_PER_SESSION} callers at once (SSH
 * multiplexes channels over one connection), so commands and transfers to one server are
 * pipelined rather than queued behind each other; a new session is opened only when the open ones
 * are full. Sessions that broke are discarded and the next caller reconnects. Thread-safe: meant
 * to be shared by all activity threads of a worker.
 *
 * <p>Host keys are pinned on first contact and checked on every connect; credentials are asked
 * for per connect and dropped right after authentication.
 */
public final class SshSessionPool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SshSessionPool.class);

    /** Work done with a lent session. */
    @FunctionalInterface
    public interface SessionWork<T> {
        T run(Session session) throws Exception;
    }

    /**
     * Concurrent callers per session. OpenSSH allows 10 channels per connection by default
     * (MaxSessions); 4 leaves room and keeps one connection's bandwidth from being split too thin.
     */
    public static final int CHANNELS_PER_SESSION = 4;

    /** An open session and how many callers use it now (guarded by its slot). */
    private static final class Pooled {
        final Session session;
        final SshTarget target;
        int users;
        boolean retired;

        Pooled(Session session, SshTarget target) {
            this.session = session;
            this.target = target;
        }

        Session session() {
            return session;
        }

        SshTarget target() {
            return target;
        }
    }

    /** One server's sessions; its monitor guards the list, the user counts and {@code connecting}. */
    private static final class ServerSlot {
        final int maxSessions;
        final Semaphore permits;
        final List<Pooled> sessions = new ArrayList<>();
        int connecting;

        ServerSlot(int max) {
            maxSessions = max;
            permits = new Semaphore(max * CHANNELS_PER_SESSION, true);
        }
    }

    /** Thrown by {@link #connectChannel} so that a failure to even open a channel on a reused session can be retried. */
    static final class ChannelOpenFailed extends Exception {
        private static final long serialVersionUID = 1L;

        ChannelOpenFailed(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }

    private final SshSettings settings;
    private final HostKeyStore hostKeys;
    private final CredentialsProvider credentials;
    private final Map<String, ServerSlot> slots = new ConcurrentHashMap<>();
    private final Set<Session> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private final java.util.concurrent.atomic.LongAdder connects = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder reuses = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder channels = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder waitNanos = new java.util.concurrent.atomic.LongAdder();

    /**
     * What the pool did so far: sessions opened (each a TCP connect, key exchange and login), callers
     * served by an already open session, channels opened (one per command or SFTP transfer), and the
     * time callers waited for a session slot. For the benches and metrics.
     */
    public record Stats(long sessionsOpened, long sessionsReused, long channelsOpened, long slotWaitNanos) {}

    public Stats stats() {
        return new Stats(connects.sum(), reuses.sum(), channels.sum(), waitNanos.sum());
    }

    public SshSessionPool(SshSettings settings, HostKeyStore hostKeys, CredentialsProvider credentials) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.hostKeys = Objects.requireNonNull(hostKeys, "hostKeys");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
    }

    public SshSettings settings() {
        return settings;
    }

    /**
     * Runs {@code work} with a session to the target, connecting if the open ones are full. Failures
     * are translated to {@link SshException} naming the server and {@code step}. If a reused
     * session turns out dead before any channel opened, the call is retried once on a fresh one.
     */
    public <T> T withSession(SshTarget target, String step, SessionWork<T> work) {
        ensureOpen(target);
        ServerSlot slot = slots.computeIfAbsent(target.nodeId(), id -> new ServerSlot(settings.maxSessionsPerServer()));
        long waitStart = System.nanoTime();
        acquire(slot, target, step);
        try {
            for (int attempt = 1; ; attempt++) {
                Pooled pooled = lend(slot, target, step);
                waitNanos.add(System.nanoTime() - waitStart);
                waitStart = System.nanoTime();
                boolean reused = pooled != null;
                (reused ? reuses : connects).increment();
                if (pooled == null) {
                    pooled = connectFor(slot, target);
                }
                boolean healthy = false;
                try {
                    T result = work.run(pooled.session());
                    healthy = pooled.session().isConnected();
                    return result;
                } catch (ChannelOpenFailed e) {
                    if (reused && attempt == 1) {
                        log.debug(
                                "server {}: pooled session was dead ({}), reconnecting",
                                target.nodeId(),
                                e.getMessage());
                        continue;
                    }
                    throw SshErrors.operationFailure(
                            target, step, e.getCause(), pooled.session().isConnected());
                } catch (SshException e) {
                    healthy = pooled.session().isConnected();
                    throw e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SshException(target.nodeId(), step, SshException.Kind.TIMEOUT, "interrupted", e);
                } catch (Exception e) {
                    throw SshErrors.operationFailure(
                            target, step, e, pooled.session().isConnected());
                } finally {
                    giveBack(slot, pooled, healthy && !closed);
                }
            }
        } finally {
            slot.permits.release();
        }
    }

    /** Opens a channel of the given type ("exec", "sftp"); a dead session is reported as {@link ChannelOpenFailed}. */
    Channel openChannel(Session session, String type) throws ChannelOpenFailed {
        channels.increment();
        try {
            return session.openChannel(type);
        } catch (JSchException e) {
            throw new ChannelOpenFailed(e);
        }
    }

    /** Connects an opened channel; a failure is reported as {@link ChannelOpenFailed} (nothing ran yet, safe to retry). */
    void connectChannel(Channel channel) throws ChannelOpenFailed {
        try {
            channel.connect((int) settings.connectTimeout().toMillis());
        } catch (JSchException e) {
            throw new ChannelOpenFailed(e);
        }
    }

    /** Closes the sessions of a server (those in use once their callers are done), e.g. after its credentials or pinned host key changed. */
    public void evict(String nodeId) {
        ServerSlot slot = slots.get(nodeId);
        if (slot != null) {
            synchronized (slot) {
                for (Pooled p : List.copyOf(slot.sessions)) {
                    p.retired = true; // sessions in use close when their last caller is done
                    if (p.users == 0) {
                        slot.sessions.remove(p);
                        discard(p.session());
                    }
                }
            }
        }
    }

    /** Number of open sessions (in use or not) across all servers; for metrics and tests. */
    public int openSessions() {
        return open.size();
    }

    @Override
    public void close() {
        closed = true;
        for (Session s : new ArrayList<>(open)) {
            discard(s);
        }
        slots.clear();
    }

    private void ensureOpen(SshTarget target) {
        Objects.requireNonNull(target, "target");
        if (closed) {
            throw new IllegalStateException("SSH session pool is closed");
        }
    }

    private void acquire(ServerSlot slot, SshTarget target, String step) {
        // Waiting longer than one command's budget means the server is saturated; let the caller retry later.
        long waitMs = settings.commandTimeout().toMillis();
        try {
            if (!slot.permits.tryAcquire(waitMs, TimeUnit.MILLISECONDS)) {
                throw new SshException(
                        target.nodeId(),
                        step,
                        SshException.Kind.TIMEOUT,
                        "all " + settings.maxSessionsPerServer() + " SSH sessions to the server ("
                                + CHANNELS_PER_SESSION + " channels each) stayed busy for " + waitMs + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SshException(
                    target.nodeId(), step, SshException.Kind.TIMEOUT, "interrupted while waiting for a session", e);
        }
    }

    /**
     * A connected session to the target with room for one more caller (the least busy one), or
     * null when the caller should open a new one (there is room for another session). Waits while
     * the open sessions are full and the rest are still connecting.
     */
    private Pooled lend(ServerSlot slot, SshTarget target, String step) {
        long deadline = System.nanoTime() + settings.commandTimeout().toNanos();
        synchronized (slot) {
            while (true) {
                Pooled best = null;
                for (Pooled p : List.copyOf(slot.sessions)) {
                    boolean usable = !p.retired
                            && p.session().isConnected()
                            && p.target().equals(target);
                    if (!usable) {
                        p.retired = true;
                        if (p.users == 0) { // dead, or the server's address/user changed
                            slot.sessions.remove(p);
                            discard(p.session());
                        }
                    } else if (best == null || p.users < best.users) {
                        best = p;
                    }
                }
                if (best != null && best.users < CHANNELS_PER_SESSION) {
                    best.users++;
                    return best;
                }
                if (slot.sessions.size() + slot.connecting < slot.maxSessions) {
                    slot.connecting++;
                    return null;
                }
                if (best != null) { // every session full: the permits make this rare; share rather than wait
                    best.users++;
                    return best;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SshException(
                            target.nodeId(),
                            step,
                            SshException.Kind.TIMEOUT,
                            "no SSH session to the server could be opened within "
                                    + settings.commandTimeout().toMillis() + " ms");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(slot, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SshException(
                            target.nodeId(),
                            step,
                            SshException.Kind.TIMEOUT,
                            "interrupted while waiting for a session",
                            e);
                }
            }
        }
    }

    /** Opens the session {@link #lend} made room for, and registers it with this caller as its first user. */
    private Pooled connectFor(ServerSlot slot, SshTarget target) {
        Pooled pooled = null;
        try {
            pooled = new Pooled(connect(target), target);
            pooled.users = 1;
            return pooled;
        } finally {
            synchronized (slot) {
                slot.connecting--;
                if (pooled != null) {
                    slot.sessions.add(pooled);
                }
                slot.notifyAll();
            }
        }
    }

    /** The caller is done with the session; a broken or retired one is closed when no one uses it any more. */
    private void giveBack(ServerSlot slot, Pooled pooled, boolean healthy) {
        synchronized (slot) {
            pooled.users--;
            if (!healthy) {
                pooled.retired = true;
            }
            if (pooled.retired && pooled.users == 0) {
                slot.sessions.remove(pooled);
                discard(pooled.session());
            }
            slot.notifyAll();
        }
    }

    private Session connect(SshTarget target) {
        JSch jsch = new JSch(); // per connect: identities must not leak between servers
        PinningHostKeyRepository repo = new PinningHostKeyRepository(target.nodeId(), hostKeys);
        jsch.setHostKeyRepository(repo);
        byte[] password = null;
        Session session = null;
        try {
            SshCredentials creds = Objects.requireNonNull(
                    credentials.credentialsFor(target.nodeId()), "no credentials for " + target.nodeId());
            session = jsch.getSession(target.user(), target.host(), target.port());
            session.setSocketFactory(
                    new NoDelaySocketFactory((int) settings.connectTimeout().toMillis()));
            session.setHostKeyAlias(target.nodeId());
            session.setConfig("StrictHostKeyChecking", "yes"); // pinning is done by the repository; never "no"
            session.setConfig("HashKnownHosts", "no");
            String order = preferredHostKeyOrder(repo);
            if (order != null) {
                session.setConfig("server_host_key", order);
            }
            switch (creds) {
                case SshCredentials.Password p -> {
                    password = toUtf8(p.password());
                    session.setPassword(password);
                    session.setConfig("PreferredAuthentications", "password");
                }
                case SshCredentials.PrivateKey k -> {
                    jsch.addIdentity("key-of-" + target.nodeId(), k.pem(), null, k.passphrase());
                    session.setConfig("PreferredAuthentications", "publickey");
                }
            }
            session.setServerAliveInterval(15_000); // detect half-open TCP connections of idle pooled sessions
            session.setServerAliveCountMax(3);
            session.connect((int) settings.connectTimeout().toMillis());
            jsch.removeAllIdentity(); // authenticated: the decoded private key need not stay in memory
            open.add(session);
            if (closed) { // close() ran while we were connecting
                discard(session);
                throw new IllegalStateException("SSH session pool is closed");
            }
            log.debug("server {}: SSH session opened", target.nodeId());
            return session;
        } catch (JSchException | RuntimeException e) {
            if (session != null) {
                session.disconnect();
            }
            var changed = repo.changedKeyMessage();
            if (changed.isPresent()) {
                throw new SshException(
                        target.nodeId(), "host-key", SshException.Kind.HOST_KEY_CHANGED, changed.get(), e);
            }
            if (e instanceof JSchException && String.valueOf(e.getMessage()).startsWith("invalid privatekey")) {
                throw new SshException(
                        target.nodeId(),
                        "auth",
                        SshException.Kind.AUTH_FAILED,
                        "the private key configured for the server could not be read (wrong format or passphrase)");
            }
            throw SshErrors.connectFailure(target, e);
        } finally {
            if (password != null) {
                Arrays.fill(password, (byte) 0);
            }
        }
    }

    /** JSch's default host-key algorithm list with the pinned type's algorithms moved to the front. */
    private static String preferredHostKeyOrder(PinningHostKeyRepository repo) {
        return repo.pinnedType()
                .map(type -> {
                    List<String> defaults = new ArrayList<>(
                            List.of(JSch.getConfig("server_host_key").split(",")));
                    List<String> wanted =
                            type.equals("ssh-rsa") ? List.of("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa") : List.of(type);
                    List<String> front = new ArrayList<>();
                    for (String w : wanted) {
                        if (defaults.remove(w)) {
                            front.add(w);
                        }
                    }
                    front.addAll(defaults);
                    return String.join(",", front);
                })
                .orElse(null);
    }

    /**
     * Plain TCP with Nagle's algorithm off: each probe is a few small request/response packets, and
     * Nagle plus delayed ACKs would add ~40 ms to every round trip. Keeps the connect timeout.
     */
    private record NoDelaySocketFactory(int connectTimeoutMs) implements com.jcraft.jsch.SocketFactory {
        @Override
        public java.net.Socket createSocket(String host, int port) throws java.io.IOException {
            java.net.Socket socket = new java.net.Socket();
            try {
                socket.setTcpNoDelay(true);
                socket.connect(new java.net.InetSocketAddress(host, port), connectTimeoutMs);
                return socket;
            } catch (java.io.IOException e) {
                socket.close();
                throw e;
            }
        }

        @Override
        public java.io.InputStream getInputStream(java.net.Socket socket) throws java.io.IOException {
            return socket.getInputStream();
        }

        @Override
        public java.io.OutputStream getOutputStream(java.net.Socket socket) throws java.io.IOException {
            return socket.getOutputStream();
        }
    }

    private void discard(Session session) {
        open.remove(session);
        session.disconnect();
    }

    private static byte[] toUtf8(char[] chars) {
        ByteBuffer buf = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
        byte[] bytes = new byte[buf.remaining()];
        buf.get(bytes);
        Arrays.fill(chars, '\0');
        if (buf.hasArray()) {
            Arrays.fill(buf.array(), (byte) 0);
        }
        return bytes;
    }
}
