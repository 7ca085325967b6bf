package io.groupai.fleet.router;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;

/** The end of an upstream connection's pipeline: hands what it reads to the exchange using it. */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

    /** The exchange this connection serves now; null while idle in the pool. */
    ProxyExchange exchange;

    private final Instance instance;

    UpstreamHandler(Instance instance) {
        this.instance = instance;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ProxyExchange x = exchange;
        if (x == null) {
            ReferenceCountUtil.release(msg);
            ctx.close(); // an idle connection must not talk: it is no longer in a known state
            return;
        }
        if (msg instanceof HttpResponse r) {
            x.onResponse(ctx.channel(), r);
            if (msg instanceof HttpContent c) {
                x = exchange;
                if (x != null) {
                    x.onContent(ctx.channel(), c);
                } else {
                    c.release();
                }
            }
        } else if (msg instanceof HttpContent c) {
            x.onContent(ctx.channel(), c);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ProxyExchange x = exchange;
        if (x != null) {
            x.onReadComplete(ctx.channel());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ProxyExchange x = exchange;
        if (x != null) {
            x.upstreamClosed(ctx.channel(), "connection closed by upstream");
        } else {
            var idle = instance.idle.get(ctx.executor());
            if (idle != null) {
                idle.remove(ctx.channel()); // same event loop as its users: no lock needed
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ProxyExchange x = exchange;
        if (x != null) {
            x.upstreamClosed(ctx.channel(), ProxyExchange.rootMessage(cause));
        }
        ctx.close();
    }
}
