package io.keepwell.netty.handler;

import io.keepwell.http.FileBodyPublisher;
import io.keepwell.http.HttpTimeoutException;
import io.keepwell.http.RequestBodyException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * The write loop (Go's {@code persistConn.writeLoop}): turns an {@link Exchange} into an HTTP/1.1
 * request for the codec below. What of it reaches the socket is counted by the {@link WriteMeter}
 * at the bottom of the pipeline, for every part however it is written (head, in-memory body,
 * file region, streamed chunks): whether any request byte was written later decides if a failed
 * non-idempotent request may be sent again, so it is measured, never guessed from an exception.
 */
public final class ExchangeWriter extends ChannelDuplexHandler implements ExchangeTimer.Expiry {

    private static final String USER_AGENT = "Keepwell/0.1";

    /**
     * Request headers are built without Netty validating them again: every caller-supplied name
     * and value was checked before the request was dispatched ({@code RequestCheck}), and the rest
     * (Host from a parsed URI, our own constants) cannot hold a forbidden character.
     */
    private static final HttpHeadersFactory REQUEST_HEADERS = CompactHttpHeaders.UNVALIDATED;

    private RequestBodyUpload upload; // event loop only: a streamed body being written
    private Runnable deferredBody;    // event loop only: a body waiting for 100 Continue
    private ScheduledFuture<?> continueTimer; // event loop only
    private ChannelHandlerContext context;
    private ExchangeTimer writeTimer;         // event loop only: armed while a request is being written
    private final Duration expectContinueTimeout;
    private final Duration writeTimeout;
    private final WriteMeter.Progress progress = this::progressed;

    /**
     * {@code writeTimeout} limits each gap in writing a request: from its start, and from every
     * byte that reaches the socket, to the next (OkHttp's per-write timeout). The wait for
     * {@code 100 Continue} is not a gap: {@code expectContinueTimeout} bounds it.
     */
    public ExchangeWriter(Duration expectContinueTimeout, Duration writeTimeout) {
        this.expectContinueTimeout = expectContinueTimeout;
        this.writeTimeout = writeTimeout;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof Exchange<?> exchange)) {
            ctx.write(msg, promise);
            return;
        }
        // An HTTP/2 stream channel has no outbound buffer of its own: there, closed means inactive.
        boolean stream = ctx.channel() instanceof Http2StreamChannel;
        ChannelOutboundBuffer outbound = stream ? null : ctx.channel().unsafe().outboundBuffer();
        if (stream ? !ctx.channel().isActive() : outbound == null) {
            // The channel closed before the write began: nothing of this request was written.
            promise.setFailure(new ClosedChannelException());
            return;
        }
        RequestTrace trace = exchange.trace();
        if (trace != null) {
            trace.writeStarted();
        }
        HttpRequest request = exchange.request();
        HttpRequest.BodyPublisher body = request.bodyPublisher().orElse(null);
        long length = body == null ? 0 : body.contentLength();
        meter.countFor(exchange, progress);
        writeTimer.set(HttpTimeoutException.Phase.WRITE, writeTimeout);
        promise.addListener(f -> {
            meter.stopCounting(exchange);
            writeTimer.clear();
        });
        boolean awaitContinue = request.expectContinue() && length != 0;
        if (length == 0 && !awaitContinue) {
            // No body: a publisher announcing none is not subscribed to (the JDK's noBody() emits nothing).
            ctx.write(encodeBodyless(request), promise);
            if (trace != null) {
                promise.addListener(f -> {
                    if (f.isSuccess()) {
                        trace.headWritten();
                        trace.bodyWritten(0);
                    }
                });
            }
        } else {
            ChannelFuture headWrite = ctx.write(encodeHead(request, length));
            if (trace != null) {
                headWrite.addListener(f -> {
                    if (f.isSuccess()) {
                        trace.headWritten();
                    }
                });
            }
            if (awaitContinue) {
                // Expect: 100-continue: the body waits for the server's go-ahead, or for the timeout.
                deferredBody = () -> writeBody(ctx, exchange, body, promise, headWrite);
                continueTimer = ctx.executor().schedule(this::sendDeferredBody, expectContinueTimeout.toNanos(), TimeUnit.NANOSECONDS);
                headWrite.addListener(f -> {
                    if (deferredBody != null) {
                        writeTimer.clear(); // the head is out; the wait for the go-ahead has its own limit
                    }
                });
            } else {
                writeBody(ctx, exchange, body, promise, headWrite);
            }
        }
    }

    private void writeBody(ChannelHandlerContext ctx, Exchange<?> exchange, HttpRequest.BodyPublisher body, ChannelPromise promise, ChannelFuture headWrite) {
        if (headWrite.isDone() && !headWrite.isSuccess()) {
            promise.tryFailure(headWrite.cause());
        } else if (body instanceof FileBodyPublisher file && body.contentLength() > 0 && PipelineInitializer.tls(ctx.channel()) == null
                && !(ctx.channel() instanceof Http2StreamChannel)) {
            // Zero-copy where the transport allows: the kernel sends the file. It is opened here, so
            // that a file that cannot be read fails as the body's fault, not the connection's.
            FileChannel opened;
            try {
                opened = FileChannel.open(file.path(), StandardOpenOption.READ);
            } catch (IOException | RuntimeException e) {
                promise.tryFailure(new RequestBodyException(exchange.toString(), e));
                return;
            }
            ctx.write(new DefaultFileRegion(opened, 0, file.contentLength()));
            ctx.write(LastHttpContent.EMPTY_LAST_CONTENT, promise);
            traceBodyWritten(exchange, promise, file::contentLength);
        } else if (body.contentLength() == 0) {
            ctx.write(LastHttpContent.EMPTY_LAST_CONTENT, promise);
            traceBodyWritten(exchange, promise, () -> 0);
        } else {
            RequestBodyUpload streaming = new RequestBodyUpload(ctx, exchange.toString(), body.contentLength(), promise);
            traceBodyWritten(exchange, promise, streaming::sent);
            upload = streaming;
            promise.addListener(f -> {
                if (upload == streaming) {
                    upload = null;
                }
            });
            try {
                body.subscribe(streaming);
            } catch (RuntimeException e) {
                streaming.fail(e);
            }
        }
    }

    /** Tells the exchange's listener, if any, the body's size once its last byte is written. */
    private static void traceBodyWritten(Exchange<?> exchange, ChannelPromise promise, java.util.function.LongSupplier bodyBytes) {
        RequestTrace trace = exchange.trace();
        if (trace != null) {
            promise.addListener(f -> {
                if (f.isSuccess()) {
                    trace.bodyWritten(bodyBytes.getAsLong());
                }
            });
        }
    }

    /** The server said 100 Continue (or the wait ran out): the body goes now. */
    public void sendDeferredBody() {
        Runnable body = deferredBody;
        if (body != null) {
            deferredBody = null;
            cancelContinueTimer();
            writeTimer.set(HttpTimeoutException.Phase.WRITE, writeTimeout);
            body.run();
            ctx().flush();
        }
    }

    /**
     * The final response came before the go-ahead: the body is never sent, and the request
     * stays incomplete (so its connection is not reused). Not a failure of the exchange.
     */
    public void dropDeferredBody() {
        // The write promise stays pending and is dropped with the exchange: failing it would read
        // as a broken channel, and the response that made the body unnecessary is still to be read.
        if (deferredBody != null) {
            deferredBody = null;
            cancelContinueTimer();
            writeTimer.clear();
        }
    }

    /** A byte of the request reached the socket: the next gap starts now. */
    private void progressed() {
        writeTimer.set(HttpTimeoutException.Phase.WRITE, writeTimeout);
    }

    /** The write timeout ran out: the reader ends the exchange, as for its own timeouts. */
    @Override
    public void timedOut(HttpTimeoutException.Phase phase, Duration limit) {
        ExchangeReader reader = PipelineInitializer.reader(context.channel());
        if (reader != null) {
            reader.timedOut(phase, limit);
        }
    }

    /** Whether a write deadline is set; for tests. */
    public boolean timerArmed() {
        return writeTimer.isArmed();
    }

    private void cancelContinueTimer() {
        if (continueTimer != null) {
            continueTimer.cancel(false);
            continueTimer = null;
        }
    }

    private ChannelHandlerContext ctx() {
        return context;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (upload != null && ctx.channel().isWritable()) {
            upload.writable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        dropDeferredBody();
        writeTimer.cancel();
        if (upload != null) {
            upload.cancel();
            upload = null;
        }
        ctx.fireChannelInactive();
    }

    /** A request without a body: one message, usually one write. */
    DefaultFullHttpRequest encodeBodyless(HttpRequest request) {
        DefaultFullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
                HttpMethod.valueOf(request.method()), target(request.uri()), Unpooled.EMPTY_BUFFER,
                REQUEST_HEADERS.newHeaders(), EmptyHttpHeaders.INSTANCE);
        fillHeaders(request, out.headers(), request.bodyPublisher().isPresent() ? 0 : -2);
        return out;
    }

    /** The head of a request whose body follows in parts; {@code length} -1 sends it chunked. */
    DefaultHttpRequest encodeHead(HttpRequest request, long length) {
        DefaultHttpRequest out = new DefaultHttpRequest(HttpVersion.HTTP_1_1,
                HttpMethod.valueOf(request.method()), target(request.uri()), REQUEST_HEADERS);
        fillHeaders(request, out.headers(), length);
        return out;
    }

    /** Origin form ({@code /path?query}); absolute form ({@code http://host:port/path?query}) to a forwarding HTTP proxy. */
    private String target(URI uri) {
        String target = uri.getRawPath();
        if (target == null || target.isEmpty()) {
            target = "/";
        }
        target = asciiTarget(uri.getRawQuery() == null ? target : target + '?' + uri.getRawQuery());
        return absoluteForm ? uri.getScheme().toLowerCase(java.util.Locale.ROOT) + "://" + hostHeader(uri) + target : target;
    }

    private boolean askForCompression; // set once, when added to a pipeline that decompresses
    private boolean absoluteForm;      // set once: the connection goes to an HTTP proxy that forwards requests
    private WriteMeter meter;          // set once, when added to a pipeline

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
        writeTimer = new ExchangeTimer(ctx.channel(), this);
        askForCompression = ctx.pipeline().get(PipelineInitializer.DECOMPRESSOR) != null;
        meter = (WriteMeter) ctx.pipeline().get(PipelineInitializer.METER);
        ConnectionContext cx = ctx.channel().attr(ConnectionContext.KEY).get();
        absoluteForm = cx != null && cx.pooled() != null && cx.pooled().key().scheme().equals("http")
                && cx.pooled().key().route().kind() == io.keepwell.pool.Route.Kind.HTTP_PROXY;
    }

    /** {@code length}: -1 sends the body chunked, -2 means the request has no body publisher at all. */
    private void fillHeaders(HttpRequest request, HttpHeaders headers, long length) {
        headers.set(HttpHeaderNames.HOST, hostHeaderOf(request.uri()));
        request.headers().map().forEach((name, values) -> {
            // Proxy credentials are for a forwarding proxy only: never sent to an origin, directly or inside a tunnel (as the JDK).
            if (!absoluteForm && name.equalsIgnoreCase("proxy-authorization")) {
                return;
            }
            for (String value : values) {
                headers.add(name, value);
            }
        });
        if (!headers.contains(HttpHeaderNames.USER_AGENT)) {
            headers.set(HttpHeaderNames.USER_AGENT, USER_AGENT);
        }
        if (length == -1) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else if (length > 0 || length == 0 && sendsZeroLength(request.method())) {
            headers.set(HttpHeaderNames.CONTENT_LENGTH, length);
        }
        if (request.expectContinue()) {
            headers.set(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE);
        }
        if (askForCompression && !headers.contains(HttpHeaderNames.ACCEPT_ENCODING)) {
            headers.set(HttpHeaderNames.ACCEPT_ENCODING, GZIP_DEFLATE);
        }
    }

    private static final String GZIP_DEFLATE = "gzip, deflate";
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

    /** POST and PUT carry {@code Content-Length: 0} for an empty body, as servers expect. */
    private static boolean sendsZeroLength(String method) {
        return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    }

    private URI lastUri;         // event loop only: the last request's URI, usually the next one's too
    private String lastHostHeader;

    /** {@link #hostHeader}, kept for a caller that sends the same URI again (a built request reused). */
    private String hostHeaderOf(URI uri) {
        if (uri != lastUri) {
            lastHostHeader = hostHeader(uri);
            lastUri = uri;
        }
        return lastHostHeader;
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
