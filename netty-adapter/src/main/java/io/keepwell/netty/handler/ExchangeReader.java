package io.keepwell.netty.handler;

import io.keepwell.http.BodyTooLargeException;
import io.keepwell.http.ClientClosedException;
import io.keepwell.http.HttpProtocolException;
import io.keepwell.http.HttpTimeoutException;
import io.keepwell.http.PrematureCloseException;
import io.keepwell.http.RequestBodyException;
import io.keepwell.keepalive.KeepAliveVerdict;
import io.keepwell.pool.CloseReason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.net.http.HttpResponse.BodySubscriber;

/**
 * The read loop (Go's {@code persistConn.readLoop}) of one channel: takes the decoded response of
 * the current exchange, feeds its body to the caller's subscriber, makes the keep-alive decision
 * once at the end, and releases the channel to its pool. When the channel closes mid-exchange it
 * fails the exchange with a typed error that records how far it got. All state is confined to the
 * channel's event loop.
 */
public final class ExchangeReader extends ChannelInboundHandlerAdapter
        implements ChannelFutureListener, BodyStream.Owner, ExchangeTimer.Expiry {

    /** Where the current exchange stands. */
    enum ReadState {
        /** No exchange: the channel is idle in the pool, or between leases. */
        IDLE,
        /** The request is being written or was written; no response byte has been decoded. */
        AWAITING_HEAD,
        /** A 1xx interim response arrived; the final response is still to come. */
        SKIPPING_INFORMATIONAL,
        /** The final response's headers arrived; the body is streaming to the subscriber. */
        READING_BODY
    }

    /** A server may not stall a request forever with 1xx responses; Go's bound (net/http max1xxResponses). */
    static final int MAX_INTERIM_RESPONSES = 5;

    private final ExchangeCarrier carrier;
    private final ChannelSettings settings;
    private ChannelHandlerContext ctx;
    private ExchangeTimer timer;
    private ClientCodec codec;     // HTTP/1.1 only: what the decoder holds beyond a response
    private ExchangeWriter writer;
    private ReadState state = ReadState.IDLE;
    private Exchange<?> current;
    private BodyStream body;
    private Throwable closeCause;      // why this side is closing the channel, told to the exchange
    private final ResponseFraming framing = new ResponseFraming();
    private final BodyMeter meter;
    private int interimResponses;      // 1xx so far: response bytes were read, so a close is not "before the response"
    private boolean inactive;          // channelInactive has run: nothing will be read or written again

    public ExchangeReader(ExchangeCarrier carrier, ChannelSettings settings) {
        this.carrier = carrier;
        this.settings = settings;
        this.meter = new BodyMeter(settings.maxResponseBodySize(), settings.maxDecompressedSize());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.timer = new ExchangeTimer(ctx.channel(), this);
        // Both are in before the reader, which goes last, and stay for the channel's life.
        this.codec = ctx.pipeline().get(PipelineInitializer.CODEC) instanceof ClientCodec c ? c : null;
        this.writer = (ExchangeWriter) ctx.pipeline().get(PipelineInitializer.WRITER);
    }

    /** Whether the response awaited is to a HEAD request (it has no body, whatever its headers say). */
    boolean awaitsHeadResponse() {
        return current != null && current.request().method().equals("HEAD");
    }

    /**
     * The decoder found {@code Transfer-Encoding: chunked} on a 1xx or 204 response, which has no
     * body; it strips the header before the reader sees it, while the chunks may still follow.
     */
    void chunksAnnouncedWhereNoneAllowed() {
        framing.chunksAnnouncedWhereNoneAllowed();
    }

    /** Whether an exchange is under way; bytes that arrive when not are unsolicited. */
    boolean isIdle() {
        return state == ReadState.IDLE;
    }

    /**
     * Starts {@code exchange} on this channel, which was just leased to it: the reader expects its
     * response, then the writer sends it.
     */
    public void begin(Exchange<?> exchange, boolean reused) {
        assert ctx.channel().eventLoop().inEventLoop();
        if (state != ReadState.IDLE) {
            throw new IllegalStateException("channel leased twice: " + state + " with " + current + ", new " + exchange);
        }
        current = exchange;
        exchange.startAttempt(reused);
        state = ReadState.AWAITING_HEAD;
        interimResponses = 0;
        framing.reset();
        meter.reset();
        if (inactive || !ctx.channel().isActive()) {
            // Closed between its lease and now: the server's close raced the checkout, or bytes that
            // arrived while it was idle made this side close it (channelInactive may still be queued).
            failCurrent(new PrematureCloseException(PrematureCloseException.Phase.BEFORE_RESPONSE, 0, reused, null));
            return;
        }
        ctx.channel().writeAndFlush(exchange).addListener(this);
    }

    /** Ends {@code exchange} by closing the channel, if it is still the current one (a cancel, a timeout). */
    public void abortIfCurrent(Exchange<?> exchange, CloseReason reason, Throwable cause) {
        if (current == exchange) {
            closeWith(reason, cause);
        }
    }

    @Override
    public void timedOut(HttpTimeoutException.Phase phase, java.time.Duration limit) {
        if (current == null) {
            return;
        }
        if (phase == HttpTimeoutException.Phase.BODY_ABANDONED) {
            AbandonedBodies.warn(current, limit);
            closeWith(CloseReason.ABANDONED, new HttpTimeoutException(phase, limit, current.toString()));
        } else {
            closeWith(CloseReason.TIMEOUT, new HttpTimeoutException(phase, limit, current.toString()));
        }
    }

    @Override
    public void abort(Throwable cause) {
        closeWith(CloseReason.ABORTED, cause);
    }

    /** Nobody asks for the body while it waits: after the abandoned-body timeout the exchange is ended. */
    @Override
    public void readingPaused() {
        timer.set(HttpTimeoutException.Phase.BODY_ABANDONED, settings.abandonedBodyTimeout());
    }

    @Override
    public void readingResumed() {
        timer.set(HttpTimeoutException.Phase.READ, settings.readTimeout());
    }

    @Override
    public void subscriberFailed(Exchange<?> exchange, RuntimeException cause) {
        if (current == exchange && state == ReadState.READING_BODY) {
            closeWith(CloseReason.ABORTED, cause);
        }
        exchange.result().completeExceptionally(cause); // a no-op if it completed after all
    }

    /**
     * The request write finished: on success every request byte reached the socket (the
     * {@link WriteMeter} counted them on the exchange, which is still the current one: a response
     * cannot end an exchange whose request is unfinished without closing the channel); a failure
     * means the channel cannot be trusted any more.
     */
    @Override
    public void operationComplete(ChannelFuture future) {
        if (future.isSuccess()) {
            Exchange<?> exchange = current;
            if (exchange != null) {
                exchange.requestWritten = true;
            }
            if (state == ReadState.AWAITING_HEAD) {
                timer.set(HttpTimeoutException.Phase.RESPONSE_HEADERS, settings.responseHeaderTimeout());
            }
        } else if (current != null) {
            Throwable cause = future.cause();
            Throwable told = carrier.writeFailed(cause, current.bytesWritten);
            if (told != null) {
                closeWith(CloseReason.PEER_CLOSED, told);
            } else if (cause instanceof RequestBodyException) {
                closeWith(CloseReason.REQUEST_BODY_FAILED, cause); // the caller's own failure: never a retry
            } else if (cause instanceof IOException) {
                closeWith(CloseReason.PEER_CLOSED, null); // reported as a premature close with the facts
            } else {
                closeWith(CloseReason.ABORTED, cause);
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpResponse response) {
                onHead(response);
            }
            if (msg instanceof HttpContent content) {
                onContent(content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(HttpResponse response) {
        if (state == ReadState.IDLE) {
            closeWith(CloseReason.UNSOLICITED_DATA, null);
            return;
        }
        if (state != ReadState.AWAITING_HEAD) {
            protocolError(new HttpProtocolException("a second response head arrived in state " + state));
            return;
        }
        if (response.decoderResult().isFailure()) {
            Throwable cause = response.decoderResult().cause();
            if (cause instanceof PrematureChannelClosureException) {
                // Unless this side already chose to close (a timeout), the peer cut the head short.
                closeWith(CloseReason.PEER_CLOSED, new PrematureCloseException(PrematureCloseException.Phase.DURING_HEADERS,
                        current.bytesWritten, current.reused, null));
            } else {
                protocolError(new HttpProtocolException("malformed response head: " + cause.getMessage(), cause));
            }
            return;
        }
        int code = response.status().code();
        if (code < 100 || code > 999) {
            protocolError(new HttpProtocolException("malformed status code " + code + " (three digits expected)"));
            return;
        }
        if (code < 200) {
            if (code == 101) {
                protocolError(new HttpProtocolException("unexpected status " + code + " (no upgrade was requested)"));
            } else {
                state = ReadState.SKIPPING_INFORMATIONAL;
                if (++interimResponses > MAX_INTERIM_RESPONSES) {
                    protocolError(new HttpProtocolException("more than " + MAX_INTERIM_RESPONSES + " interim (1xx) responses"));
                    return;
                }
                if (code == 100) {
                    writer.sendDeferredBody();
                }
                timer.set(HttpTimeoutException.Phase.RESPONSE_HEADERS, settings.responseHeaderTimeout());
            }
            return;
        }
        if (response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)
                && response.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            // RFC 9112 section 6.3: a smuggling or splitting attempt. Netty refuses the pair only
            // when the coding is chunked; with any other coding it would frame by Content-Length.
            protocolError(new HttpProtocolException("response has both Content-Length and Transfer-Encoding"));
            return;
        }
        boolean bodyless = !mayHaveBody(code, current.request().method());
        long announced = bodyless ? 0 : HttpUtil.getContentLength(response, -1L);
        if (announced > settings.maxResponseBodySize()) {
            closeWith(CloseReason.PROTOCOL_ERROR, new BodyTooLargeException(settings.maxResponseBodySize(), announced));
            return;
        }
        ResponseHead head = ResponseHead.of(response, bodyless, carrier.version());
        framing.head(response, code, !bodyless, current.requestWritten);
        writer.dropDeferredBody();
        if (current.trace() != null) {
            current.trace().responseHeaders(code);
        }
        startBody(current, head, announced);
    }

    private <T> void startBody(Exchange<T> exchange, ResponseHead head, long announced) {
        BodySubscriber<T> subscriber;
        try {
            subscriber = exchange.bodyHandler().apply(head);
        } catch (RuntimeException e) {
            closeWith(CloseReason.ABORTED, e);
            return;
        }
        meter.start(subscriber);
        body = new BodyStream(ctx.channel(), exchange, subscriber, this, settings.bodyBuffer());
        state = ReadState.READING_BODY;
        timer.set(HttpTimeoutException.Phase.READ, settings.readTimeout());
        subscriber.getBody().whenComplete((value, error) -> {
            if (error == null) {
                exchange.succeed(new NettyResponse<>(head, value, exchange.request(), sslSession()));
            } else {
                exchange.result().completeExceptionally(error);
            }
        });
        try {
            subscriber.onSubscribe(body);
        } catch (RuntimeException e) {
            // The caller's subscriber failed, not the server: never a protocol error.
            closeWith(CloseReason.ABORTED, e);
            exchange.result().completeExceptionally(e);
            return;
        }
        if (meter.discarding() && state == ReadState.READING_BODY && meter.beyondDiscardBudget(announced)) {
            finish(KeepAliveVerdict.RESPONSE_INCOMPLETE); // too large to drain: not a byte of it is read
        }
    }

    private void onContent(HttpContent content) {
        if (state == ReadState.SKIPPING_INFORMATIONAL) {
            if (content instanceof LastHttpContent) {
                state = ReadState.AWAITING_HEAD;
            }
            return;
        }
        if (state != ReadState.READING_BODY) {
            return; // the exchange already failed; the channel is closing
        }
        if (content.decoderResult().isFailure()) {
            Throwable cause = content.decoderResult().cause();
            protocolError(new HttpProtocolException("malformed response body: " + cause.getMessage(), cause));
            return;
        }
        ByteBuf bytes = content.content();
        int n = bytes.readableBytes();
        if (!(content instanceof LastHttpContent) && !body.isReadingPaused()) {
            // While reading is paused the abandoned-body limit runs: chunks the decoder still
            // produces from bytes already read must not turn it back into the read timeout.
            timer.set(HttpTimeoutException.Phase.READ, settings.readTimeout());
        }
        BodyTooLargeException tooLarge = meter.add(n);
        if (tooLarge != null) {
            closeWith(CloseReason.PROTOCOL_ERROR, tooLarge);
            return;
        }
        if (meter.discarding()) {
            if (content instanceof LastHttpContent) {
                finish(KeepAliveVerdict.REUSE);
            } else if (meter.discardBudgetSpent()) {
                // Reading the rest to keep the connection costs more than a new connection.
                finish(KeepAliveVerdict.RESPONSE_INCOMPLETE);
            }
            return;
        }
        if (n > 0) {
            body.push(bytes); // released after this read: the stream copies or lends it
        }
        if (content instanceof LastHttpContent && state == ReadState.READING_BODY) {
            finish(KeepAliveVerdict.REUSE);
        }
    }

    /**
     * The exchange is over for the caller: decide keep-alive once, release, then end the body.
     * {@code bodyRead} is {@code REUSE} when the body was read to its framed end, or the verdict
     * that rules reuse out when the rest of it was given up.
     */
    private void finish(KeepAliveVerdict bodyRead) {
        Exchange<?> exchange = current;
        BodyStream stream = body;
        KeepAliveVerdict verdict = framing.verdict(exchange.requestWritten, requestAskedClose(exchange), bodyRead,
                bodyRead.reusable() && bytesBeyondResponse());
        current = null;
        body = null;
        state = ReadState.IDLE;
        timer.clear();
        if (exchange.trace() != null) {
            exchange.trace().responseBodyEnd(meter.bodyBytes());
        }
        try {
            carrier.release(ctx.channel(), verdict, framing.serverIdleTimeoutNanos());
        } finally {
            stream.end();
            exchange.responseEnded();
        }
    }

    /** The TLS session of this channel, or {@code null} on plain TCP. */
    private javax.net.ssl.SSLSession sslSession() {
        io.netty.channel.Channel connection = ctx.channel().parent() != null ? ctx.channel().parent() : ctx.channel();
        io.netty.handler.ssl.SslHandler tls = PipelineInitializer.tls(connection);
        return tls == null ? null : tls.engine().getSession();
    }

    /** Bytes the decoder holds past the response's end: garbage, a body the status forbids, a stray response. */
    private boolean bytesBeyondResponse() {
        return codec != null && codec.bufferedBytes() > 0;
    }

    private static boolean requestAskedClose(Exchange<?> exchange) {
        // The headers' map is case-insensitive; firstValue would build a stream per exchange.
        java.util.List<String> connection = exchange.request().headers().map().get("connection");
        return connection != null && !connection.isEmpty() && connection.get(0).trim().equalsIgnoreCase("close");
    }

    private static boolean mayHaveBody(int code, String method) {
        return code != 204 && code != 304 && !method.equals("HEAD");
    }

    private void protocolError(HttpProtocolException e) {
        closeWith(CloseReason.PROTOCOL_ERROR, e);
    }

    /** Closes the channel for {@code reason}; the exchange, if any, fails with {@code cause} once it is closed. */
    private void closeWith(CloseReason reason, Throwable cause) {
        if (closeCause == null) {
            closeCause = cause;
        }
        carrier.closing(reason);
        ctx.channel().close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            // A reset or a broken pipe: the exchange fails as a premature close, which carries the facts.
            closeWith(CloseReason.PEER_CLOSED, null);
        } else if (cause instanceof Error) {
            closeWith(CloseReason.ABORTED, cause); // this side's failure (out of memory...), never the server's
        } else {
            closeWith(CloseReason.PROTOCOL_ERROR, new HttpProtocolException("unexpected failure on the connection", cause));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        inactive = true;
        timer.cancel();
        Exchange<?> exchange = current;
        if (exchange != null) {
            failCurrent(closeCause != null ? closeCause
                    : carrier.clientClosing() ? new ClientClosedException("the client was closed during the exchange")
                    : carrier.closedByPeer(phase(), exchange.bytesWritten, exchange.reused));
        }
        ctx.fireChannelInactive();
    }

    /** Fails the current exchange: its body if the response had started, else the exchange itself (which may be retried). */
    private void failCurrent(Throwable cause) {
        Exchange<?> exchange = current;
        BodyStream stream = body;
        current = null;
        body = null;
        state = ReadState.IDLE;
        timer.clear();
        if (stream != null) {
            stream.fail(cause);
            exchange.responseEnded(cause);
        } else {
            exchange.fail(cause);
        }
    }

    private PrematureCloseException.Phase phase() {
        return switch (state) {
            case IDLE -> PrematureCloseException.Phase.BEFORE_RESPONSE;
            case AWAITING_HEAD -> interimResponses > 0 ? PrematureCloseException.Phase.DURING_HEADERS : PrematureCloseException.Phase.BEFORE_RESPONSE;
            case SKIPPING_INFORMATIONAL -> PrematureCloseException.Phase.DURING_HEADERS;
            case READING_BODY -> PrematureCloseException.Phase.DURING_BODY;
        };
    }

    /** The decompressor found the current response compressed. */
    void responseIsCompressed() {
        meter.compressed();
    }

    /** Whether a response-header or read deadline is set; for tests. */
    public boolean timerArmed() {
        return timer.isArmed();
    }

    @Override
    public String toString() {
        return "ExchangeReader{" + state + ", " + current + '}';
    }
}
