package io.keepwell.it.support.h2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Waits for the TLS handshake, then installs HTTP/2 or HTTP/1.1 after the TLS handler as ALPN
 * decided. Reads the JDK engine's own answer rather than Netty's ALPN wrapper, so the server
 * needs no Netty SslContext.
 */
final class AlpnSwitch extends ChannelInboundHandlerAdapter {

    private final H2ServerConnection connection;
    private final H2Pipelines pipelines;

    AlpnSwitch(H2ServerConnection connection, H2Pipelines pipelines) {
        this.connection = connection;
        this.pipelines = pipelines;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (!(evt instanceof SslHandshakeCompletionEvent handshake)) {
            super.userEventTriggered(ctx, evt);
            return;
        }
        if (!handshake.isSuccess()) {
            ctx.close();
            return;
        }
        String protocol = ctx.pipeline().get(SslHandler.class).engine().getApplicationProtocol();
        ctx.pipeline().remove(this);
        if ("h2".equals(protocol)) {
            pipelines.speakHttp2(ctx.channel(), connection, protocol);
        } else {
            pipelines.speakHttp1(ctx.channel(), connection, protocol == null ? "" : protocol);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a failed handshake; the client sees it
    }
}
