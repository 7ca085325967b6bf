package io.groupai.fleet.router;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One proxied request, from the caller's connection to an upstream and back. Everything runs on
 * the caller's event loop (the upstream connection is registered on the same loop), so there are
 * no locks and no thread hand-offs. The response is forwarded part by part as it is read and
 * flushed at the end of every read batch: an SSE stream reaches the caller chunk by chunk.
 *
 * <p>Failover: a connection error, or a 5xx response before anything was sent to the caller, is
 * retried once on another instance. A pooled keep-alive connection the upstream had already
 * closed is replaced by a fresh one on the same instance without counting a failure.
 */
final class ProxyExchange {

    private final RoutingPool pool;
    private final ChannelHandlerContext front;
    private final FullHttpRequest request;
    private final boolean keepAlive;
    private final String routingKey;
    private final boolean stripAuthorization;

    private Instance instance;
    private Channel upstream;
    private boolean upstreamKeepAlive;
    private int attempts;
    private long sentAtNanos;
    private boolean staleRetried;
    private boolean fromIdle;
    private boolean started;
    private boolean done;
    private ScheduledFuture<?> timeout;
    private ScheduledFuture<?> queueTimeout;

    ProxyExchange(
            RoutingPool pool,
            ChannelHandlerContext front,
            FullHttpRequest request,
            String routingKey,
            boolean stripAuthorization) {
        this.pool = pool;
        this.front = front;
        this.request = request; // owned: released when the exchange ends
        this.keepAlive = HttpUtil.isKeepAlive(request);
        this.routingKey = routingKey;
        this.stripAuthorization = stripAuthorization;
    }

    boolean done() {
        return done;
    }

    void start() {
        Instance i = pool.pool().acquire(routingKey, null);
        if (i == null) {
            if (pool.pool().anyRoutable() && pool.enqueue(this)) {
                queueTimeout = front.executor()
                        .schedule(
                                () -> {
                                    if (!done && instance == null && pool.dequeue(this)) {
                                        tooBusy();
                                    }
                                },
                                pool.config().router().queueTimeout().toNanos(),
                                TimeUnit.NANOSECONDS);
                return;
            }
            noInstance();
            return;
        }
        send(i);
    }

    /** Called (on this exchange's loop) when a slot may have freed up; false = still waiting. */
    boolean retryFromQueue() {
        if (done) {
            return true;
        }
        Instance i = pool.pool().acquire(routingKey, null);
        if (i == null) {
            return false;
        }
        if (queueTimeout != null) {
            queueTimeout.cancel(false);
        }
        send(i);
        return true;
    }

    java.util.concurrent.Executor executor() {
        return front.executor();
    }

    private void noInstance() {
        if (pool.pool().anyRoutable()) {
            tooBusy();
        } else {
            respond(OpenAiErrors.error(
                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "No upstream instance is available (all disabled, unhealthy or cooling down).",
                    "server_error",
                    "no_available_instance"));
        }
    }

    private void tooBusy() {
        FullHttpResponse r = OpenAiErrors.error(
                HttpResponseStatus.TOO_MANY_REQUESTS,
                "Every upstream instance is at its max_concurrent. Retry after the time in Retry-After.",
                "requests",
                "rate_limit_exceeded");
        r.headers().set(HttpHeaderNames.RETRY_AFTER, pool.retryAfterSeconds());
        respond(r);
    }

    private void send(Instance i) {
        instance = i;
        sentAtNanos = System.nanoTime();
        attempts++;
        fromIdle = false;
        ArrayDeque<Channel> idle = i.idle.get(front.executor());
        if (idle != null) {
            Channel c;
            while ((c = idle.pollLast()) != null) {
                if (c.isActive()) {
                    fromIdle = true;
                    attach(c);
                    return;
                }
            }
        }
        connect(i);
    }

    private void connect(Instance i) {
        ChannelFuture f = pool.connect(front.channel().eventLoop(), i);
        f.addListener((ChannelFutureListener) cf -> {
            if (!front.executor().inEventLoop()) {
                // A channel that could not even be created (e.g. out of file descriptors) reports on
                // Netty's global executor: come back to this exchange's loop first.
                front.executor().execute(() -> connected(cf, i));
                return;
            }
            connected(cf, i);
        });
    }

    private void connected(ChannelFuture cf, Instance i) {
        if (done || instance != i) {
            if (cf.isSuccess()) {
                cf.channel().close();
            }
            return;
        }
        if (cf.isSuccess()) {
            attach(cf.channel());
        } else {
            connectionFailed("cannot connect: " + rootMessage(cf.cause()));
        }
    }

    private void attach(Channel c) {
        upstream = c;
        c.pipeline().get(UpstreamHandler.class).exchange = this;
        HttpHeaders h = new DefaultHttpHeaders();
        h.set(request.headers());
        stripHopByHop(h);
        h.set(HttpHeaderNames.HOST, instance.host + ":" + instance.port);
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, request.content().readableBytes());
        h.remove(HttpHeaderNames.EXPECT);
        String upstreamKey = instance.account().upstreamApiKey();
        if (upstreamKey != null) {
            h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + upstreamKey);
        } else if (stripAuthorization) {
            h.remove(HttpHeaderNames.AUTHORIZATION); // the pool's own key is not the upstream's business
        }
        DefaultFullHttpRequest out = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                request.method(),
                instance.basePath + request.uri(),
                request.content().retainedDuplicate(),
                h,
                io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
        long firstByte = pool.config().router().requestTimeout().toNanos();
        if (firstByte > 0) {
            Instance target = instance;
            timeout = front.executor().schedule(() -> firstByteTimeout(target), firstByte, TimeUnit.NANOSECONDS);
        }
        c.writeAndFlush(out).addListener((ChannelFutureListener) wf -> {
            if (!wf.isSuccess() && !done && upstream == wf.channel()) {
                upstreamClosed(wf.channel(), "write failed: " + rootMessage(wf.cause()));
            }
        });
    }

    private void firstByteTimeout(Instance target) {
        if (done || started || instance != target) {
            return;
        }
        Channel c = upstream;
        detach(false);
        target.release();
        target.recordFailure(
                "no response within request_timeout",
                pool.config().router().allowedFails(),
                pool.config().router().cooldownTime());
        pool.attemptEnded(target, false, System.nanoTime() - sentAtNanos);
        pool.slotFreed();
        respond(OpenAiErrors.error(
                HttpResponseStatus.GATEWAY_TIMEOUT,
                "Upstream instance " + target.id() + " did not answer within request_timeout.",
                "server_error",
                "upstream_timeout"));
        if (c != null) {
            c.close();
        }
    }

    // ---- upstream events (same event loop) ----

    void onResponse(Channel c, HttpResponse r) {
        if (c != upstream || done) {
            ReferenceCountUtil.release(r);
            return;
        }
        if (r.decoderResult().isFailure()) {
            upstreamClosed(
                    c,
                    "bad HTTP from upstream: " + rootMessage(r.decoderResult().cause()));
            c.close();
            return;
        }
        if (r.status().code() == 100) {
            return; // an interim 100 Continue: the real response follows
        }
        cancelTimeout();
        int code = r.status().code();
        if (code >= 500) {
            Instance failedOn = instance;
            failedOn.recordFailure(
                    "HTTP " + code,
                    pool.config().router().allowedFails(),
                    pool.config().router().cooldownTime());
            pool.attemptEnded(failedOn, false, System.nanoTime() - sentAtNanos);
            if (attempts < 2) {
                Instance next = pool.pool().acquire(routingKey, failedOn);
                if (next != null) {
                    detach(false);
                    c.close(); // not drained: closing is cheaper than reading an error body we drop
                    failedOn.release();
                    pool.slotFreed();
                    send(next);
                    return;
                }
            }
            failedStatus = true; // counted by recordFailure above; forwarded as it is
        }
        started = true;
        upstreamKeepAlive = HttpUtil.isKeepAlive(r);
        HttpHeaders h = new DefaultHttpHeaders();
        h.set(r.headers());
        stripHopByHop(h);
        HttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, r.status(), h);
        if (!h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            HttpUtil.setTransferEncodingChunked(out, true);
        }
        HttpUtil.setKeepAlive(out, keepAlive);
        front.write(out);
    }

    private boolean failedStatus;

    void onContent(Channel c, HttpContent content) {
        if (c != upstream || done || !started) {
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            upstreamClosed(
                    c,
                    "bad HTTP from upstream: "
                            + rootMessage(content.decoderResult().cause()));
            c.close();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        front.write(content);
        if (!front.channel().isWritable()) {
            c.config().setAutoRead(false); // the caller reads slower than the upstream writes
        }
        if (last) {
            finish();
        }
    }

    void onReadComplete(Channel c) {
        if (c == upstream) {
            front.flush();
        }
    }

    void frontWritable() {
        Channel c = upstream;
        if (c != null && front.channel().isWritable()) {
            c.config().setAutoRead(true);
        }
    }

    /** The upstream connection closed or failed. */
    void upstreamClosed(Channel c, String why) {
        if (c != upstream || done) {
            return;
        }
        Instance i = instance;
        detach(false);
        cancelTimeout();
        if (!started) {
            i.release();
            pool.slotFreed();
            if (fromIdle && !staleRetried) {
                // A keep-alive connection the upstream closed while it sat idle: not the instance's fault.
                staleRetried = true;
                if (i.tryAcquire()) {
                    attempts--;
                    send(i);
                    return;
                }
            }
            i.recordFailure(
                    why,
                    pool.config().router().allowedFails(),
                    pool.config().router().cooldownTime());
            pool.attemptEnded(i, false, System.nanoTime() - sentAtNanos);
            failover(i, why);
            return;
        }
        // Died mid-response: the caller has part of it; the only honest thing left is to cut the
        // connection so the caller sees an incomplete response, not a complete-looking one.
        i.release();
        i.recordFailure(
                "closed mid-response: " + why,
                pool.config().router().allowedFails(),
                pool.config().router().cooldownTime());
        pool.attemptEnded(i, false, System.nanoTime() - sentAtNanos);
        pool.slotFreed();
        end();
        front.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void connectionFailed(String why) {
        Instance i = instance;
        i.release();
        pool.slotFreed();
        i.recordFailure(
                why,
                pool.config().router().allowedFails(),
                pool.config().router().cooldownTime());
        pool.attemptEnded(i, false, System.nanoTime() - sentAtNanos);
        failover(i, why);
    }

    private void failover(Instance failedOn, String why) {
        if (attempts < 2) {
            Instance next = pool.pool().acquire(routingKey, failedOn);
            if (next != null) {
                send(next);
                return;
            }
        }
        respond(OpenAiErrors.error(
                HttpResponseStatus.BAD_GATEWAY,
                "Upstream instance " + failedOn.id() + " failed: " + why,
                "server_error",
                "upstream_error"));
    }

    private void finish() {
        Instance i = instance;
        Channel c = upstream;
        detach(true);
        i.release();
        if (!failedStatus) {
            i.recordSuccess();
            pool.attemptEnded(i, true, System.nanoTime() - sentAtNanos);
        }
        pool.slotFreed();
        if (c != null) {
            if (upstreamKeepAlive && c.isActive() && c.config().isAutoRead()) {
                i.idle.computeIfAbsent(front.executor(), k -> new ArrayDeque<>())
                        .addLast(c);
            } else {
                c.config().setAutoRead(true);
                c.close();
            }
        }
        end();
        if (keepAlive) {
            front.flush();
        } else {
            front.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The caller went away: drop the upstream side (not the instance's failure). */
    void abort() {
        if (done) {
            return;
        }
        pool.dequeue(this);
        Instance i = instance;
        Channel c = upstream;
        detach(false);
        cancelTimeout();
        if (i != null) {
            i.release();
            i.total.incrementAndGet();
            pool.slotFreed();
        }
        if (c != null) {
            c.close();
        }
        end();
    }

    private void detach(boolean reusable) {
        Channel c = upstream;
        if (c != null) {
            UpstreamHandler h = c.pipeline().get(UpstreamHandler.class);
            if (h != null) {
                h.exchange = null;
            }
        }
        upstream = null;
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }

    private void respond(FullHttpResponse r) {
        if (done) {
            r.release();
            return;
        }
        cancelTimeout();
        end();
        HttpUtil.setKeepAlive(r, keepAlive);
        ChannelFuture f = front.writeAndFlush(r);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void end() {
        if (!done) {
            done = true;
            if (queueTimeout != null) {
                queueTimeout.cancel(false);
            }
            request.release();
            FrontHandler h = front.pipeline().get(FrontHandler.class);
            if (h != null) {
                h.exchangeEnded(this);
            }
        }
    }

    private static void stripHopByHop(HttpHeaders h) {
        String connection = h.get(HttpHeaderNames.CONNECTION);
        if (connection != null) {
            for (String name : connection.split(",")) {
                h.remove(name.trim());
            }
        }
        h.remove(HttpHeaderNames.CONNECTION);
        h.remove(HttpHeaderValues.KEEP_ALIVE);
        h.remove(HttpHeaderNames.PROXY_AUTHENTICATE);
        h.remove(HttpHeaderNames.PROXY_AUTHORIZATION);
        h.remove(HttpHeaderNames.TE);
        h.remove(HttpHeaderNames.TRAILER);
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        h.remove(HttpHeaderNames.UPGRADE);
    }

    static String rootMessage(Throwable t) {
        if (t == null) {
            return "unknown";
        }
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
