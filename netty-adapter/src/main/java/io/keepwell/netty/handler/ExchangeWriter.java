package io.keepwell.netty.handler;

import io.keepwell.http.ByteArrayBodyPublisher;
import io.keepwell.http.HttpRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

import java.net.URI;
import java.nio.channels.ClosedChannelException;

/**
 * The write loop (Go's {@code persistConn.writeLoop}): turns an {@link Exchange} into an HTTP/1.1
 * request for the codec below, and records what reached the socket. Whether any request byte was
 * written is what later decides if a failed non-idempotent request may be sent again, so it is
 * measured from the channel's outbound buffer, never guessed from an exception.
 */
public final class ExchangeWriter extends ChannelOutboundHandlerAdapter {

    private static final String USER_AGENT = "Keepwell/0.1";

    private Exchange<?> writing;      // event loop only: the exchange whose bytes are being flushed
    private long pendingBeforeWrite;  // event loop only

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof Exchange<?> exchange)) {
            ctx.write(msg, promise);
            return;
        }
        ChannelOutboundBuffer outbound = ctx.channel().unsafe().outboundBuffer();
        if (outbound == null) {
            // The channel closed before the write began: nothing of this request was written.
            promise.setFailure(new ClosedChannelException());
            return;
        }
        DefaultFullHttpRequest request = encode(exchange.request());
        writing = exchange;
        pendingBeforeWrite = outbound.totalPendingWriteBytes();
        promise.addListener(f -> {
            if (f.isSuccess()) {
                exchange.bytesWritten = exchange.bytesQueued;
                exchange.requestWritten = true;
            }
        });
        ctx.write(request, promise);
        exchange.bytesQueued = outbound.totalPendingWriteBytes() - pendingBeforeWrite;
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        ChannelOutboundBuffer outbound = ctx.channel().unsafe().outboundBuffer();
        ctx.flush();
        Exchange<?> exchange = writing;
        if (exchange != null) {
            writing = null;
            if (!exchange.requestWritten) {
                // After a failed flush the buffer is emptied, which reads as "all written": the
                // safe direction, since it forbids replaying a request that may have left.
                long stillPending = outbound == null ? 0 : outbound.totalPendingWriteBytes() - pendingBeforeWrite;
                exchange.bytesWritten = Math.max(exchange.bytesWritten, exchange.bytesQueued - Math.max(0, stillPending));
            }
        }
    }

    static DefaultFullHttpRequest encode(HttpRequest request) {
        URI uri = request.uri();
        String target = uri.getRawPath();
        if (target == null || target.isEmpty()) {
            target = "/";
        }
        if (uri.getRawQuery() != null) {
            target = target + '?' + uri.getRawQuery();
        }
        target = asciiTarget(target);
        ByteBuf content = body(request);
        DefaultFullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
                HttpMethod.valueOf(request.method()), target, content);
        HttpHeaders headers = out.headers();
        headers.set(HttpHeaderNames.HOST, hostHeader(uri));
        request.headers().forEach(headers::add);
        if (!headers.contains(HttpHeaderNames.USER_AGENT)) {
            headers.set(HttpHeaderNames.USER_AGENT, USER_AGENT);
        }
        int length = content.readableBytes();
        if (length > 0 || sendsZeroLength(request.method())) {
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        }
        if (request.expectContinue()) {
            headers.set(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE);
        }
        return out;
    }

    /**
     * java.net.URI keeps non-ASCII characters raw in its raw path and query, and the encoder would
     * write them as UTF-8 bytes; a request target is ASCII (RFC 9112 section 3.2), so they are
     * percent-encoded as UTF-8, as the JDK client sends them.
     */
    static String asciiTarget(String target) {
        int i = 0;
        while (i < target.length() && target.charAt(i) < 0x80) {
            i++;
        }
        if (i == target.length()) {
            return target;
        }
        StringBuilder out = new StringBuilder(target.length() + 16).append(target, 0, i);
        for (byte b : target.substring(i).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            if (b >= 0) {
                out.append((char) b);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static ByteBuf body(HttpRequest request) {
        HttpRequest.BodyPublisher publisher = request.bodyPublisher();
        if (publisher instanceof ByteArrayBodyPublisher inMemory) {
            return publisher.contentLength() == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(inMemory.content());
        }
        throw new IllegalArgumentException("unsupported body publisher: " + publisher.getClass().getName());
    }

    /** POST and PUT carry {@code Content-Length: 0} for an empty body, as servers expect. */
    private static boolean sendsZeroLength(String method) {
        return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    }

    static String hostHeader(URI uri) {
        String host = uri.getHost();
        int port = uri.getPort();
        boolean defaultPort = port == -1
                || (port == 80 && "http".equalsIgnoreCase(uri.getScheme()))
                || (port == 443 && "https".equalsIgnoreCase(uri.getScheme()));
        return defaultPort ? host : host + ':' + port;
    }
}
