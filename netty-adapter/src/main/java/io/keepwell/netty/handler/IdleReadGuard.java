package io.keepwell.netty.handler;

import io.keepwell.pool.CloseReason;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits before the codec and closes a channel on which bytes arrive while no exchange is under way
 * (an unsolicited response, a 408, garbage): such bytes would otherwise wait in the decoder and be
 * read as the next request's response.
 */
public final class IdleReadGuard extends ChannelInboundHandlerAdapter {

    private final ConnectionContext cx;
    private final ExchangeReader reader;

    public IdleReadGuard(ConnectionContext cx, ExchangeReader reader) {
        this.cx = cx;
        this.reader = reader;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (reader.isIdle()) {
            ReferenceCountUtil.release(msg);
            cx.core().markClosing(cx.pooled(), CloseReason.UNSOLICITED_DATA);
            ctx.channel().close();
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
