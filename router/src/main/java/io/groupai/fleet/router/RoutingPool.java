package io.groupai.fleet.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing pool: an HTTP server (Netty) in front of the instances of a
 * {@code multi_account_config.json}, with health checks, managed instance processes, and the
 * config and key files reloaded when they change. Standalone via {@link RouterMain}, or embedded
 * (the app starts one on its own port).
 */
public final class RoutingPool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RoutingPool.class);

    /** How to start: the config file, and overrides of its router.host / router.port. */
    public record Options(Path configFile, String host, Integer port, int ioThreads) {
        public static Options of(Path configFile) {
            return new Options(configFile, null, null, 0);
        }

        public Options withListen(String host, Integer port) {
            return new Options(configFile, host, port, ioThreads);
        }

        public Options withIoThreads(int n) {
            return new Options(configFile, host, port, n);
        }
    }

    private final Options options;
    private final InstancePool pool = new InstancePool();
    private final ApiKeys keys = new ApiKeys();
    private final Supervisor supervisor;
    private volatile RouterConfig config;
    private FileTime configStamp;
    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> socketClass;
    private final Channel serverChannel;
    private final Map<EventLoop, Bootstrap> bootstraps = new ConcurrentHashMap<>();
    private final ConcurrentLinkedDeque<ProxyExchange> waiting = new ConcurrentLinkedDeque<>();
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final HttpClient http;
    private final ScheduledExecutorService scheduler;
    private volatile RequestObserver observer = RequestObserver.NONE;

    private RoutingPool(Options options) throws IOException, InterruptedException {
        this.options = options;
        Path file = options.configFile().toAbsolutePath();
        RouterConfig initial;
        if (Files.exists(file)) {
            initial = RouterConfig.load(file);
            configStamp = Files.getLastModifiedTime(file);
        } else {
            log.warn("routing pool config {} does not exist: no instances until it appears", file);
            initial = RouterConfig.parse("{}");
        }
        this.config = initial;
        pool.apply(initial);
        keys.setFile(resolve(initial.router().apiKeyFile()));

        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        int threads = options.ioThreads() > 0
                ? options.ioThreads()
                : Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("router-io", true), io);
        socketClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        Class<? extends ServerChannel> serverClass =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(initial.router().healthCheckTimeout())
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "router-supervisor");
            t.setDaemon(true);
            return t;
        });
        supervisor = new Supervisor(this);

        String host = options.host() != null ? options.host() : initial.router().host();
        int port = options.port() != null ? options.port() : initial.router().port();
        ServerBootstrap sb = new ServerBootstrap()
                .group(group)
                .channel(serverClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpServerExpectContinueHandler())
                                .addLast(new HttpObjectAggregator(32 * 1024 * 1024))
                                .addLast(new FrontHandler(RoutingPool.this));
                    }
                });
        try {
            serverChannel = sb.bind(host, port).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            scheduler.shutdownNow();
            throw new IOException("routing pool cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        log.info(
                "routing pool listening on {}:{} ({} instances, strategy {}, {} transport, config {})",
                host,
                port(),
                pool.instances().size(),
                initial.router().strategy().configName(),
                epoll ? "epoll" : "nio",
                file);
        supervisor.startManaged();
        scheduler.scheduleWithFixedDelay(this::tick, 0, 1, TimeUnit.SECONDS);
    }

    public static RoutingPool start(Options options) throws IOException, InterruptedException {
        return new RoutingPool(options);
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Who hears about every upstream attempt (metrics); replaces the previous observer. */
    public void observe(RequestObserver observer) {
        this.observer = observer == null ? RequestObserver.NONE : observer;
    }

    void attemptEnded(Instance instance, boolean success, long nanos) {
        try {
            observer.completed(instance.id(), success, nanos);
        } catch (RuntimeException e) {
            log.warn("request observer failed: {}", e.toString());
        }
    }

    public InstancePool pool() {
        return pool;
    }

    public ApiKeys keys() {
        return keys;
    }

    public RouterConfig config() {
        return config;
    }

    HttpClient http() {
        return http;
    }

    /** Paths in the config (key file, log file) are relative to the config file's directory. */
    Path resolve(String path) {
        Path p = Path.of(path);
        if (p.isAbsolute()) {
            return p;
        }
        Path dir = options.configFile().toAbsolutePath().getParent();
        return dir == null ? p.toAbsolutePath() : dir.resolve(p);
    }

    private void tick() {
        try {
            reloadIfChanged();
            keys.reloadIfChanged();
            supervisor.tick();
        } catch (RuntimeException e) {
            log.warn("routing pool supervisor: {}", e.toString(), e);
        }
    }

    /** Re-reads the config file when its modification time changed; a broken file keeps the old config. */
    void reloadIfChanged() {
        Path file = options.configFile().toAbsolutePath();
        try {
            if (!Files.exists(file)) {
                return;
            }
            FileTime stamp = Files.getLastModifiedTime(file);
            if (stamp.equals(configStamp)) {
                return;
            }
            configStamp = stamp;
            RouterConfig next = RouterConfig.load(file);
            RouterConfig prev = config;
            List<Instance> removed = pool.apply(next);
            config = next;
            keys.setFile(resolve(next.router().apiKeyFile()));
            removed.forEach(i -> {
                supervisor.removed(i);
                i.closeIdle();
            });
            if (next.router().port() != prev.router().port()
                    || !next.router().host().equals(prev.router().host())) {
                log.warn("router.host/port changed in {}: takes effect at the next restart", file);
            }
            log.info(
                    "routing pool config reloaded from {}: {} instances",
                    file,
                    next.accounts().size());
            supervisor.startManaged();
        } catch (IOException | IllegalArgumentException e) {
            log.error("routing pool config {} not reloaded, keeping the previous one: {}", file, e.getMessage());
        }
    }

    ChannelFuture connect(EventLoop loop, Instance i) {
        Bootstrap b = bootstraps.computeIfAbsent(
                loop,
                l -> new Bootstrap()
                        .group(l)
                        .channel(socketClass)
                        .option(ChannelOption.TCP_NODELAY, true)
                        .option(ChannelOption.SO_KEEPALIVE, true)
                        .option(
                                ChannelOption.WRITE_BUFFER_WATER_MARK,
                                new WriteBufferWaterMark(64 * 1024, 256 * 1024)));
        int connectTimeout = (int) Math.max(
                100,
                Math.min(Integer.MAX_VALUE, config.router().healthCheckTimeout().toMillis()));
        return b.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeout)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec()).addLast(new UpstreamHandler(i));
                    }
                })
                .connect(i.host, i.port);
    }

    // ---- the bounded wait queue (router.queue_size > 0) ----

    boolean enqueue(ProxyExchange x) {
        int max = config.router().queueSize();
        for (; ; ) {
            int n = waitingCount.get();
            if (n >= max) {
                return false;
            }
            if (waitingCount.compareAndSet(n, n + 1)) {
                waiting.addLast(x);
                return true;
            }
        }
    }

    boolean dequeue(ProxyExchange x) {
        if (waiting.remove(x)) {
            waitingCount.decrementAndGet();
            return true;
        }
        return false;
    }

    /** A slot was released: the longest-waiting caller gets a try, on its own event loop. */
    void slotFreed() {
        if (waitingCount.get() == 0) {
            return;
        }
        ProxyExchange x = waiting.pollFirst();
        if (x == null) {
            return;
        }
        waitingCount.decrementAndGet();
        x.executor().execute(() -> {
            if (!x.retryFromQueue()) {
                waitingCount.incrementAndGet();
                waiting.addFirst(x);
            }
        });
    }

    String retryAfterSeconds() {
        return "1";
    }

    // ---- status and models ----

    public ObjectNode status() {
        long now = System.nanoTime();
        ObjectNode root = OpenAiErrors.JSON.createObjectNode();
        root.put("strategy", pool.strategy().configName());
        ArrayNode list = root.putArray("instances");
        for (Instance i : pool.instances()) {
            list.add(statusOf(i, now));
        }
        root.put("waiting", waitingCount.get());
        return root;
    }

    /**
     * Routes to an instance again ({@code enabled}) or stops routing to it, as {@code POST
     * /router/instances/{id}/enable|disable} does; {@code by} is logged. Answers the instance's
     * status, or empty when there is no instance with that id. Until the config file changes that
     * instance's enabled flag, the choice holds.
     */
    public Optional<ObjectNode> setEnabled(String id, boolean enabled, String by) {
        Optional<Instance> i = pool.find(id);
        i.ifPresent(instance -> instance.setEnabled(enabled, by));
        return i.map(instance -> statusOf(instance, System.nanoTime()));
    }

    ObjectNode statusOf(Instance i, long now) {
        ObjectNode n = OpenAiErrors.JSON.createObjectNode();
        n.put("id", i.id());
        n.put("port", i.port);
        n.put("weight", i.weight());
        n.put("enabled", i.enabled());
        n.put("status", i.status(now).json());
        n.put("current_concurrent", i.currentConcurrent());
        n.put("max_concurrent", i.maxConcurrent());
        n.put("total_requests", i.totalRequests());
        n.put("failed_requests", i.failedRequests());
        if (i.lastHeartbeatMillis() > 0) {
            // Epoch seconds with milliseconds, as the seed prints them (1703123456.789), never 1.7E9.
            n.put("last_heartbeat", java.math.BigDecimal.valueOf(i.lastHeartbeatMillis(), 3));
        } else {
            n.putNull("last_heartbeat");
        }
        n.put("base_url", i.account().baseUrl());
        long until = i.cooldownUntilEpochMillis();
        if (until > 0) {
            n.put("cooldown_until", java.math.BigDecimal.valueOf(until, 3));
        }
        if (i.lastError() != null) {
            n.put("last_error", i.lastError());
        }
        supervisor.describe(i, n);
        return n;
    }

    /** GET /v1/models on every routable instance at once; the union of their models by id. */
    CompletableFuture<FullHttpResponse> models() {
        long now = System.nanoTime();
        List<Instance> targets =
                pool.instances().stream().filter(i -> i.routable(now)).toList();
        if (targets.isEmpty()) {
            return CompletableFuture.completedFuture(OpenAiErrors.error(
                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "No upstream instance is available (all disabled, unhealthy or cooling down).",
                    "server_error",
                    "no_available_instance"));
        }
        Duration timeout = config.router().healthCheckTimeout();
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        for (Instance i : targets) {
            HttpRequest.Builder rb = HttpRequest.newBuilder(
                            URI.create(i.account().baseUrl().replaceAll("/v1$", "") + "/v1/models"))
                    .timeout(timeout.isZero() ? Duration.ofSeconds(5) : timeout)
                    .GET();
            if (i.account().upstreamApiKey() != null) {
                rb.header("Authorization", "Bearer " + i.account().upstreamApiKey());
            }
            calls.add(http.sendAsync(rb.build(), HttpResponse.BodyHandlers.ofByteArray())
                    .thenApply(r -> {
                        if (r.statusCode() != 200) {
                            return null;
                        }
                        try {
                            return OpenAiErrors.JSON.readTree(r.body());
                        } catch (IOException e) {
                            return null;
                        }
                    })
                    .exceptionally(e -> {
                        log.debug("instance {}: /v1/models failed: {}", i.id(), e.toString());
                        return null;
                    }));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<String, JsonNode> byId = new LinkedHashMap<>();
            int answered = 0;
            for (CompletableFuture<JsonNode> c : calls) {
                JsonNode body = c.join();
                if (body == null) {
                    continue;
                }
                answered++;
                for (JsonNode m : body.path("data")) {
                    String id = m.path("id").asText(null);
                    if (id != null) {
                        byId.putIfAbsent(id, m);
                    }
                }
            }
            if (answered == 0) {
                return OpenAiErrors.error(
                        HttpResponseStatus.BAD_GATEWAY,
                        "No upstream instance answered GET /v1/models.",
                        "server_error",
                        "upstream_error");
            }
            ObjectNode root = OpenAiErrors.JSON.createObjectNode();
            root.put("object", "list");
            ArrayNode data = root.putArray("data");
            byId.values().forEach(data::add);
            return OpenAiErrors.json(HttpResponseStatus.OK, root);
        });
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        supervisor.stopAll();
        try {
            serverChannel.close().sync();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.instances().forEach(Instance::closeIdle);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        http.close();
        log.info("routing pool stopped");
    }
}
