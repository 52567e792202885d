package io.keepwell.it.support.h2;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Serves HTTP/1.1 (after ALPN chose it) from the same script, keeping the connection alive.
 * Only {@link H2Reply.Respond} makes sense here; any other reply is answered 501.
 */
final class Http1Responder extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final int connectionId;
    private final H2Knobs knobs;
    private final Consumer<H2Request> requestLog;

    Http1Responder(int connectionId, H2Knobs knobs, Consumer<H2Request> requestLog) {
        this.connectionId = connectionId;
        this.knobs = knobs;
        this.requestLog = requestLog;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        Map<String, String> headers = new LinkedHashMap<>();
        request.headers().forEach(e -> headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        H2Request read = new H2Request(connectionId, 0, request.method().name(), request.uri(), Map.copyOf(headers),
                ByteBufUtil.getBytes(request.content()));
        requestLog.accept(read);
        H2Reply reply = knobs.script().replyTo(read);
        FullHttpResponse response = reply instanceof H2Reply.Respond respond
                ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(respond.status()), Unpooled.wrappedBuffer(respond.body()))
                : new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_IMPLEMENTED,
                        Unpooled.copiedBuffer("not scriptable over HTTP/1.1: " + reply, StandardCharsets.UTF_8));
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        ctx.writeAndFlush(response);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
