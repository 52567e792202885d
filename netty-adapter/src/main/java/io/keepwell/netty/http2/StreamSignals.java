package io.keepwell.netty.http2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits after the frame-to-HTTP codec of a stream: records the server's reset and a GOAWAY that
 * leaves the stream unprocessed (the multiplexer fires both as events, before the stream closes),
 * and strips from each response head what the codec added for HTTP/1.1 handlers (its
 * {@code x-http2-*} extension headers, and {@code Transfer-Encoding: chunked}, which HTTP/2 never
 * sends), so the caller sees the server's headers.
 */
final class StreamSignals extends ChannelInboundHandlerAdapter {

    private static final HttpConversionUtil.ExtensionHeaderNames[] ADDED = HttpConversionUtil.ExtensionHeaderNames.values();

    private final StreamCarrier carrier;

    StreamSignals(StreamCarrier carrier) {
        this.carrier = carrier;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame reset) {
            carrier.resetReceived(reset.errorCode());
        } else if (evt instanceof Http2GoAwayFrame goAway) {
            carrier.goAwayAbove(goAway.lastStreamId(), goAway.errorCode());
            ReferenceCountUtil.release(goAway);
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse response) {
            io.netty.handler.codec.http.HttpHeaders headers = response.headers();
            for (HttpConversionUtil.ExtensionHeaderNames added : ADDED) {
                headers.remove(added.text());
            }
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        }
        ctx.fireChannelRead(msg);
    }
}
