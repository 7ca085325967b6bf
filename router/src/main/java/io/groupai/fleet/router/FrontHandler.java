package io.groupai.fleet.router;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The caller's side: {@code /health}, {@code /v1/models}, {@code /router/status}, enable/disable,
 * and every other {@code /v1/...} request proxied through a {@link ProxyExchange}.
 */
final class FrontHandler extends ChannelInboundHandlerAdapter {

    private final RoutingPool pool;
    private ProxyExchange exchange;
    private ChannelHandlerContext ctx;
    /** Requests a client pipelined behind the one in flight: answered in order, after it. */
    private final java.util.ArrayDeque<FullHttpRequest> pipelined = new java.util.ArrayDeque<>();

    FrontHandler(RoutingPool pool) {
        this.pool = pool;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        this.ctx = ctx;
        if (exchange != null || resuming || !pipelined.isEmpty()) {
            if (pipelined.size() >= 16) {
                req.release();
                ctx.close();
                return;
            }
            pipelined.addLast(req);
            return;
        }
        handle(ctx, req);
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (req.decoderResult().isFailure()) {
            req.release();
            write(
                    ctx,
                    false,
                    OpenAiErrors.error(
                            HttpResponseStatus.BAD_REQUEST, "malformed HTTP request", "invalid_request_error", null));
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        String uri = req.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        HttpMethod method = req.method();

        if (path.equals("/health") && (method == HttpMethod.GET || method == HttpMethod.HEAD)) {
            req.release();
            write(ctx, keepAlive, health());
            return;
        }
        String bearer = bearer(req);
        if (!pool.keys().accepts(bearer)) {
            req.release();
            write(ctx, keepAlive, OpenAiErrors.unauthorized());
            return;
        }
        if (path.equals("/v1/models") && method == HttpMethod.GET) {
            req.release();
            pool.models()
                    .whenComplete((r, e) -> write(
                            ctx,
                            keepAlive,
                            e == null
                                    ? r
                                    : OpenAiErrors.error(
                                            HttpResponseStatus.BAD_GATEWAY,
                                            "cannot list models: " + ProxyExchange.rootMessage(e),
                                            "server_error",
                                            "upstream_error")));
            return;
        }
        if (path.equals("/router/status") && method == HttpMethod.GET) {
            req.release();
            write(ctx, keepAlive, OpenAiErrors.json(HttpResponseStatus.OK, pool.status()));
            return;
        }
        if (path.startsWith("/router/instances/") && method == HttpMethod.POST) {
            req.release();
            write(ctx, keepAlive, enableDisable(path.substring("/router/instances/".length())));
            return;
        }
        if (path.startsWith("/v1/")) {
            String key = bearer != null ? bearer : remoteAddress(ctx);
            exchange = new ProxyExchange(pool, ctx, req, key, pool.keys().required());
            exchange.start();
            return;
        }
        req.release();
        write(
                ctx,
                keepAlive,
                OpenAiErrors.error(
                        HttpResponseStatus.NOT_FOUND,
                        "Unknown path " + method + " " + path,
                        "invalid_request_error",
                        "unknown_url"));
    }

    private FullHttpResponse health() {
        long now = System.nanoTime();
        ObjectNode body = OpenAiErrors.JSON.createObjectNode();
        long available =
                pool.pool().instances().stream().filter(i -> i.routable(now)).count();
        body.put("status", available > 0 ? "healthy" : "unhealthy");
        body.put("available_instances", available);
        body.put("total_instances", pool.pool().instances().size());
        return OpenAiErrors.json(available > 0 ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body);
    }

    /** {@code POST /router/instances/{id}/enable} or {@code .../disable}. */
    private FullHttpResponse enableDisable(String rest) {
        int slash = rest.lastIndexOf('/');
        String action = slash < 0 ? "" : rest.substring(slash + 1);
        String id = slash < 0 ? rest : rest.substring(0, slash);
        if (!action.equals("enable") && !action.equals("disable")) {
            return OpenAiErrors.error(
                    HttpResponseStatus.NOT_FOUND,
                    "Use POST /router/instances/{id}/enable or /disable",
                    "invalid_request_error",
                    "unknown_url");
        }
        Optional<Instance> i = pool.pool().find(id);
        if (i.isEmpty()) {
            return OpenAiErrors.error(
                    HttpResponseStatus.NOT_FOUND, "No instance with id " + id, "invalid_request_error", "not_found");
        }
        i.get().setEnabled(action.equals("enable"), "REST");
        return OpenAiErrors.json(HttpResponseStatus.OK, pool.statusOf(i.get(), System.nanoTime()));
    }

    void exchangeEnded(ProxyExchange x) {
        if (exchange == x) {
            exchange = null;
            if (!pipelined.isEmpty()) {
                // Not from inside the ending exchange: on the next turn of the loop, in order.
                resuming = true;
                ctx.executor().execute(() -> {
                    resuming = false;
                    drain();
                });
            }
        }
    }

    private boolean resuming;

    private void drain() {
        FullHttpRequest next;
        while (exchange == null && !resuming && (next = pipelined.pollFirst()) != null) {
            if (ctx.channel().isActive()) {
                handle(ctx, next);
            } else {
                next.release();
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ProxyExchange x = exchange;
        if (x != null) {
            x.frontWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ProxyExchange x = exchange;
        if (x != null) {
            x.abort();
        }
        FullHttpRequest r;
        while ((r = pipelined.pollFirst()) != null) {
            r.release();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private static void write(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse r) {
        HttpUtil.setKeepAlive(r, keepAlive);
        var f = ctx.writeAndFlush(r);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static String bearer(FullHttpRequest req) {
        String h = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return h.substring(7).trim();
        }
        String k = req.headers().get("x-api-key");
        return k != null ? k.trim() : null;
    }

    private static String remoteAddress(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress()
                : "";
    }
}
