package io.groupai.fleet.router;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Added latency of the routing pool: the same open-loop load (a fixed arrival rate; latency
 * counted from each request's scheduled time, so a slow server cannot slow the load down) sent
 * to a loopback upstream directly and through the pool, interleaved in one run, at each rate
 * given. Prints p50/p99/p99.9 of both and of the difference, the pool's CPU per request (CPU time
 * of its event loop threads), and streaming time to first chunk through the pool vs direct.
 *
 * <pre>
 * ./mvnw -q -pl router -am test-compile exec:java -Dbench=router -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.groupai.fleet.router.RouterBench -Dexec.args="1000,5000 15"
 * </pre>
 *
 * args: rates (requests/s to the pool, the same again direct; comma-separated), seconds measured per rate.
 */
public final class RouterBench {

    private static final byte[] COMPLETION =
            ("{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1700000000,"
                            + "\"model\":\"gemini-1.5-pro\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                            + "\"content\":\"Hello! How can I help you today?\"},\"finish_reason\":\"stop\"}],"
                            + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":9,\"total_tokens\":18}}")
                    .getBytes(StandardCharsets.UTF_8);
    private static final byte[] REQUEST =
            ("{\"model\":\"gemini-1.5-pro\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}")
                    .getBytes(StandardCharsets.UTF_8);
    private static final byte[] STREAM_REQUEST =
            ("{\"model\":\"gemini-1.5-pro\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}")
                    .getBytes(StandardCharsets.UTF_8);

    private RouterBench() {}

    public static void main(String[] args) throws Exception {
        int[] rates = Arrays.stream((args.length > 0 ? args[0] : "1000,5000").split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup upstreamGroup = group(1, "bench-upstream", epoll);
        EventLoopGroup clientGroup = group(1, "bench-client", epoll);
        Channel upstream = upstreamServer(upstreamGroup, epoll);
        int upstreamPort = ((InetSocketAddress) upstream.localAddress()).getPort();

        Path dir = Files.createTempDirectory("router-bench");
        Path config = dir.resolve("multi_account_config.json");
        Files.writeString(
                config,
                "{\"accounts\": [{\"id\": \"bench\", \"port\": " + upstreamPort + ", \"weight\": 1}],"
                        + " \"router\": {\"host\": \"127.0.0.1\", \"port\": 0, \"strategy\": \"roundrobin\","
                        + " \"health_check_interval\": 30}}");
        try (RoutingPool pool = RoutingPool.start(RoutingPool.Options.of(config))) {
            int poolPort = pool.port();
            EventLoop loop = clientGroup.next();
            Target direct = new Target("direct", upstreamPort, loop, epoll);
            Target viaPool = new Target("pool", poolPort, loop, epoll);
            String load = Files.exists(Path.of("/proc/loadavg"))
                    ? Files.readString(Path.of("/proc/loadavg")).trim()
                    : "?";
            System.out.printf(
                    Locale.ROOT,
                    "routing pool bench: %d CPUs visible, load average before: %s, transport %s, pool io threads %d%n",
                    Runtime.getRuntime().availableProcessors(),
                    load,
                    epoll ? "epoll" : "nio",
                    Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
            System.out.println("each rate: the same rate direct and through the pool, interleaved; open loop;"
                    + " latency from the scheduled send time to the last byte");
            for (int rate : rates) {
                run(direct, viaPool, rate, 5, false); // warm-up: connections, JIT
                run(direct, viaPool, rate, seconds, true);
            }
            streaming(direct, viaPool, 2000);
            System.out.printf(
                    Locale.ROOT,
                    "%nload average after: %s%n",
                    Files.exists(Path.of("/proc/loadavg"))
                            ? Files.readString(Path.of("/proc/loadavg")).trim()
                            : "?");
        } finally {
            upstream.close().sync();
            upstreamGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static void run(Target direct, Target viaPool, int rate, int seconds, boolean print)
            throws InterruptedException {
        int n = rate * seconds;
        direct.reset(n);
        viaPool.reset(n);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long cpu0 = poolCpuNanos(mx);
        long upstreamCpu0 = cpuNanos(mx, "bench-upstream");
        long processCpu0 = processCpuNanos();
        long interval = 1_000_000_000L / rate;
        long t0 = System.nanoTime() + 10_000_000L;
        int late = 0;
        for (int k = 0; k < n; k++) {
            long at = t0 + k * interval;
            long wait;
            while ((wait = at - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            if (System.nanoTime() - at > 1_000_000L) {
                late++;
            }
            // Each arrival: one request direct, one through the pool, same scheduled time.
            direct.send(at, false);
            viaPool.send(at, false);
        }
        long end = System.nanoTime();
        direct.await(10);
        viaPool.await(10);
        long cpu = poolCpuNanos(mx) - cpu0;
        long upstreamCpu = cpuNanos(mx, "bench-upstream") - upstreamCpu0;
        long processCpu = processCpuNanos() - processCpu0;
        if (!print) {
            return;
        }
        double achieved = n / ((end - t0) / 1e9);
        System.out.printf(
                Locale.ROOT,
                "%n== %d req/s to the pool + %d req/s direct, %d s (achieved arrival rate %.0f/s each; %d arrivals sent >1 ms late by the load generator)%n",
                rate,
                rate,
                seconds,
                achieved,
                late);
        Stats d = direct.stats();
        Stats p = viaPool.stats();
        System.out.printf(
                Locale.ROOT, "  %-8s %9s %9s %9s %9s %7s%n", "", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "errors");
        print("direct", d, direct.errors.get());
        print("pool", p, viaPool.errors.get());
        System.out.printf(
                Locale.ROOT, "  %-8s %9.3f %9.3f %9.3f%n", "added", p.p50 - d.p50, p.p99 - d.p99, p.p999 - d.p999);
        System.out.printf(
                Locale.ROOT,
                "  pool CPU: %.1f µs per request (router-io threads); whole process (load generator, upstream, pool): %.1f µs per pool request%n",
                cpu / 1000.0 / n,
                processCpu / 1000.0 / n);
        System.out.printf(
                Locale.ROOT,
                "  for scale: the upstream (a minimal Netty server, one socket per request where the pool has two) used %.1f µs per request%n",
                upstreamCpu / 1000.0 / (2.0 * n));
    }

    private static void print(String name, Stats s, int errors) {
        System.out.printf(
                Locale.ROOT, "  %-8s %9.3f %9.3f %9.3f %9.3f %7d%n", name, s.p50, s.p99, s.p999, s.max, errors);
    }

    private static void streaming(Target direct, Target viaPool, int n) throws InterruptedException {
        direct.reset(n);
        viaPool.reset(n);
        for (int k = 0; k < n; k++) {
            // Closed loop, one at a time, alternating: time to first chunk without queueing.
            CountDownLatch one = direct.sendAndWait();
            one.await(5, TimeUnit.SECONDS);
            one = viaPool.sendAndWait();
            one.await(5, TimeUnit.SECONDS);
        }
        Stats d = direct.ttfcStats();
        Stats p = viaPool.ttfcStats();
        System.out.printf(
                Locale.ROOT, "%n== streaming (SSE), %d requests each, one at a time: time to first chunk%n", n);
        System.out.printf(
                Locale.ROOT, "  %-8s %9s %9s %9s %9s %7s%n", "", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "errors");
        print("direct", d, direct.errors.get());
        print("pool", p, viaPool.errors.get());
        System.out.printf(
                Locale.ROOT, "  %-8s %9.3f %9.3f %9.3f%n", "added", p.p50 - d.p50, p.p99 - d.p99, p.p999 - d.p999);
    }

    private static long poolCpuNanos(ThreadMXBean mx) {
        return cpuNanos(mx, "router-");
    }

    private static long cpuNanos(ThreadMXBean mx, String prefix) {
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix)) {
                long c = mx.getThreadCpuTime(t.threadId());
                if (c > 0) {
                    sum += c;
                }
            }
        }
        return sum;
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime()
                : 0;
    }

    record Stats(double p50, double p99, double p999, double max) {
        static Stats of(long[] values, int count) {
            long[] v = Arrays.copyOf(values, count);
            Arrays.sort(v);
            if (count == 0) {
                return new Stats(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            return new Stats(at(v, 0.50), at(v, 0.99), at(v, 0.999), v[count - 1] / 1e6);
        }

        private static double at(long[] v, double q) {
            return v[Math.min(v.length - 1, (int) Math.ceil(q * v.length) - 1)] / 1e6;
        }
    }

    /** One destination (direct or the pool): keep-alive connections on the client loop, one request each at a time. */
    static final class Target {
        final String name;
        final int port;
        final EventLoop loop;
        final Bootstrap bootstrap;
        final ArrayDeque<Channel> idle = new ArrayDeque<>();
        final AtomicInteger errors = new AtomicInteger();
        long[] latencies = new long[0];
        long[] ttfc = new long[0];
        int done;
        int ttfcCount;
        CountDownLatch finished = new CountDownLatch(0);

        Target(String name, int port, EventLoop loop, boolean epoll) {
            this.name = name;
            this.port = port;
            this.loop = loop;
            this.bootstrap = new Bootstrap()
                    .group(loop)
                    .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec()).addLast(new ClientHandler(Target.this));
                        }
                    });
        }

        void reset(int n) {
            CountDownLatch f = new CountDownLatch(n);
            CountDownLatch sync = new CountDownLatch(1);
            loop.execute(() -> {
                latencies = new long[n];
                ttfc = new long[n];
                done = 0;
                ttfcCount = 0;
                errors.set(0);
                finished = f;
                sync.countDown();
            });
            try {
                sync.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** At most this many connections: when all are busy, requests wait here (their clock runs). */
        static final int MAX_CONNECTIONS = 64;

        int connections;
        final ArrayDeque<long[]> pending = new ArrayDeque<>();

        void send(long scheduledAt, boolean stream) {
            loop.execute(() -> {
                Channel c;
                while ((c = idle.pollLast()) != null && !c.isActive()) {
                    connections--;
                }
                if (c != null) {
                    write(c, scheduledAt, stream);
                } else if (connections < MAX_CONNECTIONS) {
                    connections++;
                    bootstrap.connect("127.0.0.1", port).addListener(f -> {
                        if (f.isSuccess()) {
                            write(((io.netty.channel.ChannelFuture) f).channel(), scheduledAt, stream);
                        } else {
                            connections--;
                            errors.incrementAndGet();
                            finished.countDown();
                        }
                    });
                } else {
                    pending.addLast(new long[] {scheduledAt, stream ? 1 : 0});
                }
            });
        }

        volatile CountDownLatch oneShot;

        CountDownLatch sendAndWait() {
            CountDownLatch one = new CountDownLatch(1);
            oneShot = one;
            send(System.nanoTime(), true);
            return one;
        }

        private void write(Channel c, long scheduledAt, boolean stream) {
            ClientHandler h = c.pipeline().get(ClientHandler.class);
            h.scheduledAt = scheduledAt;
            h.first = true;
            byte[] body = stream ? STREAM_REQUEST : REQUEST;
            FullHttpRequest r = new DefaultFullHttpRequest(
                    HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/chat/completions", Unpooled.wrappedBuffer(body));
            r.headers().set(HttpHeaderNames.HOST, "127.0.0.1:" + port);
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            c.writeAndFlush(r);
        }

        void complete(Channel c, long scheduledAt, boolean ok) {
            long now = System.nanoTime();
            if (ok && done < latencies.length) {
                latencies[done++] = now - scheduledAt;
            } else if (!ok) {
                errors.incrementAndGet();
            }
            long[] next = pending.pollFirst();
            if (next != null) {
                write(c, next[0], next[1] == 1);
            } else {
                idle.addLast(c);
            }
            finished.countDown();
            CountDownLatch one = oneShot;
            if (one != null) {
                one.countDown();
            }
        }

        void firstChunk(long scheduledAt) {
            if (ttfcCount < ttfc.length) {
                ttfc[ttfcCount++] = System.nanoTime() - scheduledAt;
            }
        }

        void await(int seconds) throws InterruptedException {
            if (!finished.await(seconds, TimeUnit.SECONDS)) {
                System.out.printf(
                        Locale.ROOT, "  (%s: %d requests unanswered after %d s)%n", name, finished.getCount(), seconds);
            }
        }

        Stats stats() throws InterruptedException {
            long[][] copy = new long[1][];
            int[] count = new int[1];
            CountDownLatch l = new CountDownLatch(1);
            loop.execute(() -> {
                copy[0] = latencies;
                count[0] = done;
                l.countDown();
            });
            l.await();
            return Stats.of(copy[0], count[0]);
        }

        Stats ttfcStats() throws InterruptedException {
            long[][] copy = new long[1][];
            int[] count = new int[1];
            CountDownLatch l = new CountDownLatch(1);
            loop.execute(() -> {
                copy[0] = ttfc;
                count[0] = ttfcCount;
                l.countDown();
            });
            l.await();
            return Stats.of(copy[0], count[0]);
        }
    }

    static final class ClientHandler extends SimpleChannelInboundHandler<HttpObject> {
        final Target target;
        long scheduledAt;
        boolean first;
        boolean ok;

        ClientHandler(Target target) {
            this.target = target;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse r) {
                ok = r.status().code() == 200;
            }
            if (msg instanceof HttpContent c) {
                if (first && c.content().isReadable()) {
                    first = false;
                    target.firstChunk(scheduledAt);
                }
                if (c instanceof LastHttpContent) {
                    target.complete(ctx.channel(), scheduledAt, ok);
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static EventLoopGroup group(int threads, String name, boolean epoll) {
        return new MultiThreadIoEventLoopGroup(
                threads,
                new DefaultThreadFactory(name, true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** The upstream: a minimal OpenAI-compatible server; streams send the first chunk at once, the rest 2 ms later. */
    private static Channel upstreamServer(EventLoopGroup group, boolean epoll) throws InterruptedException {
        return new ServerBootstrap()
                .group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(1 << 20))
                                .addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                        boolean stream = req.content()
                                                .toString(StandardCharsets.UTF_8)
                                                .contains("\"stream\":true");
                                        if (!stream) {
                                            DefaultFullHttpResponse r = new DefaultFullHttpResponse(
                                                    HttpVersion.HTTP_1_1,
                                                    HttpResponseStatus.OK,
                                                    Unpooled.wrappedBuffer(COMPLETION));
                                            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                                            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, COMPLETION.length);
                                            ctx.writeAndFlush(r);
                                            return;
                                        }
                                        DefaultHttpResponse r =
                                                new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                                        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
                                        HttpUtil.setTransferEncodingChunked(r, true);
                                        ctx.write(r);
                                        ctx.writeAndFlush(new DefaultHttpContent(sse("Once")));
                                        ctx.executor()
                                                .schedule(
                                                        () -> {
                                                            ctx.write(new DefaultHttpContent(sse(" upon a time")));
                                                            ctx.writeAndFlush(
                                                                    new DefaultLastHttpContent(Unpooled.copiedBuffer(
                                                                            "data: [DONE]\n\n",
                                                                            StandardCharsets.UTF_8)));
                                                        },
                                                        2,
                                                        TimeUnit.MILLISECONDS);
                                    }
                                });
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
    }

    private static ByteBuf sse(String text) {
        return Unpooled.copiedBuffer(
                "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text
                        + "\"}}]}\n\n",
                StandardCharsets.UTF_8);
    }
}
