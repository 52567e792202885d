package io.keepwell.netty.handler;

import io.keepwell.http.ClientClosedException;
import io.keepwell.http.HttpProtocolException;
import io.keepwell.http.HttpResponse.BodySubscriber;
import io.keepwell.http.PrematureCloseException;
import io.keepwell.keepalive.ExchangeFacts;
import io.keepwell.keepalive.KeepAliveHint;
import io.keepwell.keepalive.KeepAlivePolicy;
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
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The read loop (Go's {@code persistConn.readLoop}) of one channel: takes the decoded response of
 * the current exchange, feeds its body to the caller's subscriber, makes the keep-alive decision
 * once at the end, and releases the channel to its pool. When the channel closes mid-exchange it
 * fails the exchange with a typed error that records how far it got. All state is confined to the
 * channel's event loop.
 */
public final class ExchangeReader extends ChannelInboundHandlerAdapter implements ChannelFutureListener {

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

    private final ConnectionContext cx;
    private ChannelHandlerContext ctx;
    private ReadState state = ReadState.IDLE;
    private Exchange<?> current;
    private BodyStream body;
    private Throwable closeCause;      // why this side is closing the channel, told to the exchange
    private boolean responseAskedClose;
    private boolean http10;
    private boolean http10KeepAlive;
    private boolean closeDelimited;
    private boolean earlyResponse;
    private KeepAliveHint hint = KeepAliveHint.NONE;
    private boolean inactive;          // channelInactive has run: nothing will be read or written again

    public ExchangeReader(ConnectionContext cx) {
        this.cx = cx;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
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
        responseAskedClose = false;
        http10 = false;
        http10KeepAlive = false;
        closeDelimited = false;
        earlyResponse = false;
        hint = KeepAliveHint.NONE;
        if (inactive || !ctx.channel().isActive()) {
            // Closed between its lease and now: the server's close raced the checkout, or bytes that
            // arrived while it was idle made this side close it (channelInactive may still be queued).
            failCurrent(new PrematureCloseException(PrematureCloseException.Phase.BEFORE_RESPONSE, 0, reused, null));
            return;
        }
        ctx.channel().writeAndFlush(exchange).addListener(this);
    }

    /** Ends {@code exchange} by closing the channel, if it is still the current one (a cancel, a timeout). */
    public void abortIfCurrent(Exchange<?> exchange, Throwable cause) {
        if (current == exchange) {
            closeWith(CloseReason.ABORTED, cause);
        }
    }

    /** The request write finished; a failure means the channel cannot be trusted any more. */
    @Override
    public void operationComplete(ChannelFuture future) {
        if (!future.isSuccess() && current != null) {
            Throwable cause = future.cause();
            if (cause instanceof IOException) {
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
                closeCause = new PrematureCloseException(PrematureCloseException.Phase.DURING_HEADERS,
                        current.bytesWritten, current.reused, null);
                closeWith(CloseReason.PEER_CLOSED, null);
            } else {
                protocolError(new HttpProtocolException("malformed response head: " + cause.getMessage(), cause));
            }
            return;
        }
        int code = response.status().code();
        if (code < 200) {
            if (code == 101 || code < 100) {
                protocolError(new HttpProtocolException("unexpected status " + code + " (no upgrade was requested)"));
            } else {
                state = ReadState.SKIPPING_INFORMATIONAL;
            }
            return;
        }
        ResponseHead head;
        try {
            head = ResponseHead.of(response);
        } catch (IllegalArgumentException e) {
            protocolError(new HttpProtocolException("invalid response header: " + e.getMessage(), e));
            return;
        }
        http10 = response.protocolVersion().equals(HttpVersion.HTTP_1_0);
        responseAskedClose = response.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true);
        http10KeepAlive = http10 && response.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE, true);
        closeDelimited = !HttpUtil.isContentLengthSet(response) && !HttpUtil.isTransferEncodingChunked(response)
                && mayHaveBody(code, current.request().method());
        earlyResponse = !current.requestWritten;
        hint = KeepAliveHint.parse(response.headers().get("Keep-Alive"));
        startBody(current, head);
    }

    private <T> void startBody(Exchange<T> exchange, ResponseHead head) {
        BodySubscriber<T> subscriber;
        try {
            subscriber = exchange.bodyHandler().apply(head);
        } catch (RuntimeException e) {
            closeWith(CloseReason.ABORTED, e);
            return;
        }
        body = new BodyStream(ctx.channel(), subscriber, this::abortBody);
        state = ReadState.READING_BODY;
        subscriber.getBody().whenComplete((value, error) -> {
            if (error == null) {
                exchange.succeed(new NettyResponse<>(head.statusCode(), head.headers(), head.version(), value, exchange.request()));
            } else {
                exchange.result().completeExceptionally(error);
            }
        });
        subscriber.onSubscribe(body);
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
        if (n > 0) {
            ByteBuffer copy = ByteBuffer.allocate(n);
            bytes.getBytes(bytes.readerIndex(), copy);
            copy.flip();
            body.push(copy);
        }
        if (content instanceof LastHttpContent && state == ReadState.READING_BODY) {
            finish();
        }
    }

    /** The response ended at its framed end: decide keep-alive once, release, then end the body. */
    private void finish() {
        Exchange<?> exchange = current;
        BodyStream stream = body;
        KeepAliveVerdict verdict = KeepAlivePolicy.decide(new ExchangeFacts(
                exchange.requestWritten, true, requestAskedClose(exchange), responseAskedClose,
                http10, http10KeepAlive, closeDelimited, false, earlyResponse, hint.max()));
        current = null;
        body = null;
        state = ReadState.IDLE;
        cx.lastVerdict(verdict);
        cx.serverIdleTimeoutNanos(hint.timeoutNanos());
        try {
            cx.owner().release(ctx.channel());
        } finally {
            stream.end();
        }
    }

    private static boolean requestAskedClose(Exchange<?> exchange) {
        return exchange.request().headers().firstValue("connection").map(v -> v.trim().equalsIgnoreCase("close")).orElse(false);
    }

    private static boolean mayHaveBody(int code, String method) {
        return code != 204 && code != 304 && !method.equals("HEAD");
    }

    private void abortBody(Throwable cause) {
        closeWith(CloseReason.ABORTED, cause);
    }

    private void protocolError(HttpProtocolException e) {
        closeWith(CloseReason.PROTOCOL_ERROR, e);
    }

    /** Closes the channel for {@code reason}; the exchange, if any, fails with {@code cause} once it is closed. */
    private void closeWith(CloseReason reason, Throwable cause) {
        if (closeCause == null) {
            closeCause = cause;
        }
        cx.core().markClosing(cx.pooled(), reason);
        ctx.channel().close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            // A reset or a broken pipe: the exchange fails as a premature close, which carries the facts.
            closeWith(CloseReason.PEER_CLOSED, null);
        } else {
            closeWith(CloseReason.PROTOCOL_ERROR, new HttpProtocolException("unexpected failure on the connection", cause));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        inactive = true;
        Exchange<?> exchange = current;
        if (exchange != null) {
            failCurrent(closeCause != null ? closeCause
                    : cx.clientClosing() ? new ClientClosedException("the client was closed during the exchange")
                    : new PrematureCloseException(phase(), exchange.bytesWritten, exchange.reused, null));
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
        if (stream != null) {
            stream.fail(cause);
        } else {
            exchange.fail(cause);
        }
    }

    private PrematureCloseException.Phase phase() {
        return switch (state) {
            case IDLE, AWAITING_HEAD -> PrematureCloseException.Phase.BEFORE_RESPONSE;
            case SKIPPING_INFORMATIONAL -> PrematureCloseException.Phase.DURING_HEADERS;
            case READING_BODY -> PrematureCloseException.Phase.DURING_BODY;
        };
    }

    @Override
    public String toString() {
        return "ExchangeReader{" + state + ", " + current + '}';
    }
}
