package io.keepwell.netty.http2;

import io.keepwell.http.HttpTimeoutException;
import io.keepwell.http.StreamResetException;
import io.keepwell.netty.handler.ChannelSettings;
import io.keepwell.netty.handler.ConnectionContext;
import io.keepwell.netty.handler.Exchange;
import io.keepwell.netty.handler.ExchangeReader;
import io.keepwell.netty.handler.PipelineInitializer;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.OfferVerdict;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection side of an HTTP/2 connection (Go's {@code ClientConn}), last in its pipeline: it
 * tells the pool the server's settings (the first make the connection ready; later ones change its
 * concurrency), retires the connection on GOAWAY (no new stream; it closes when its last stream
 * ends, or at the drain timeout), checks a read-idle connection with a PING and closes it when the
 * PING goes unanswered, and opens streams for exchanges. Every stream slot the pool gave for this
 * connection is given back here exactly once, when its stream closed; a stream this side reset
 * keeps its slot until the connection proves alive (a PING ack), so a hung connection serves at
 * most its concurrency limit of timed-out requests. Event loop only.
 */
public final class Http2ConnectionGuard extends ChannelInboundHandlerAdapter {

    /** Used when the server's settings name no concurrency limit (RFC 9113 leaves it unlimited); Go's value. */
    static final int UNSPECIFIED_MAX_STREAMS = 1000;

    private final ConnectionContext cx;
    private final Http2Options options;
    private final ChannelSettings settings;
    private final ConnectionReadiness readiness;
    private final AtomicInteger openStreams;
    private final LateFrameResets lateResets;
    private final List<StreamCarrier> heldSlots = new ArrayList<>(); // reset by this side, waiting for a PING ack
    private ChannelHandlerContext ctx;
    // One for the connection, its handler set per stream: on the event loop, open() reads it before returning.
    private Http2StreamChannelBootstrap streams;
    private boolean ready;
    private boolean failed;
    private long streamsOpened;
    private int refusedStreams;
    private boolean goAwayReceived;
    private long pingPayload;
    private ScheduledFuture<?> pingTimer;    // set while a PING waits for its ack
    private ScheduledFuture<?> settingsTimer;
    private ScheduledFuture<?> drainTimer;

    Http2ConnectionGuard(ConnectionContext cx, Http2Options options, ChannelSettings settings, ConnectionReadiness readiness,
                         AtomicInteger openStreams, LateFrameResets lateResets) {
        this.lateResets = lateResets;
        this.cx = cx;
        this.options = options;
        this.settings = settings;
        this.readiness = readiness;
        this.openStreams = openStreams;
    }

    /** The guard of an HTTP/2 connection, or {@code null} for HTTP/1.1 (or a connection whose handlers are gone). */
    public static Http2ConnectionGuard of(Channel channel) {
        return channel.pipeline().get(Http2ConnectionGuard.class);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.streams = new Http2StreamChannelBootstrap(ctx.channel());
        settingsTimer = ctx.executor().schedule(this::settingsTimedOut, options.settingsTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2SettingsFrame frame) {
                onSettings(frame);
            } else if (msg instanceof Http2GoAwayFrame goAway) {
                onGoAway(goAway);
            } else if (msg instanceof Http2PingFrame ping && ping.ack() && pingTimer != null && ping.content() == pingPayload) {
                pingTimer.cancel(false);
                pingTimer = null;
                releaseHeldSlots(); // the connection is alive: the slots of streams this side reset are free
                if (lateResets.pingAnswered()) { // the server has seen the resets sent before the PING
                    ping(); // for those reset since
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onSettings(Http2SettingsFrame frame) {
        Long limit = frame.settings().maxConcurrentStreams();
        int maxStreams = limit == null ? UNSPECIFIED_MAX_STREAMS : (int) Math.min(Integer.MAX_VALUE, limit);
        if (!ready) {
            if (failed) {
                return;
            }
            ready = true;
            settingsTimer.cancel(false);
            // Netty has already widened the connection window to twice the stream window's growth, so
            // that one stream cannot exhaust it; the setting widens it further, never narrows it.
            Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
            int growth = options.connectionWindowSize()
                    - codec.connection().local().flowController().initialWindowSize(codec.connection().connectionStream());
            if (growth > 0) {
                ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(growth)); // no stream: the connection's window
            }
            readiness.http2(maxStreams);
        } else if (limit != null) {
            cx.core().maxStreamsChanged(cx.pooled(), maxStreams);
        }
    }

    /**
     * No new stream from now on; streams above its last stream id hear of it from the multiplexer
     * and fail as unprocessed (then retried), those below finish. The connection closes once the
     * last ends, or at the drain timeout.
     */
    private void onGoAway(Http2GoAwayFrame goAway) {
        goAwayReceived = true;
        if (cx.core().retire(cx.pooled(), CloseReason.GOAWAY)) {
            ctx.close();
        } else if (drainTimer == null) {
            drainTimer = ctx.executor().schedule(() -> {
                cx.core().markClosing(cx.pooled(), CloseReason.GOAWAY);
                ctx.close();
            }, options.drainTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ping();
            return;
        }
        ReferenceCountUtil.release(evt);
    }

    /** Asks the server to prove the connection alive, unless a PING already waits for its ack. */
    private void ping() {
        if (pingTimer != null || !ctx.channel().isActive()) {
            return;
        }
        pingPayload = System.nanoTime();
        lateResets.pingSent();
        ctx.writeAndFlush(new DefaultHttp2PingFrame(pingPayload));
        pingTimer = ctx.executor().schedule(this::pingTimedOut, options.pingTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void pingTimedOut() {
        pingTimer = null;
        cx.peerCloseCause(new HttpTimeoutException(HttpTimeoutException.Phase.PING, options.pingTimeout(), cx.pooled().key().toString()));
        cx.core().markClosing(cx.pooled(), CloseReason.PING_TIMEOUT);
        ctx.close();
    }

    private void settingsTimedOut() {
        if (!ready) {
            fail(new HttpTimeoutException(HttpTimeoutException.Phase.HANDSHAKE, options.settingsTimeout(),
                    cx.pooled().key() + ": no HTTP/2 settings from the server"));
            ctx.close();
        }
    }

    private void fail(Throwable cause) {
        if (!ready && !failed) {
            failed = true;
            readiness.failed(cause);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The frame codec has already answered a connection error with GOAWAY; this side closes.
        cx.core().markClosing(cx.pooled(), cause instanceof IOException ? CloseReason.PEER_CLOSED : CloseReason.PROTOCOL_ERROR);
        fail(cause instanceof IOException io ? io : new IOException("HTTP/2 connection failed: " + cause.getMessage(), cause));
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        settingsTimer.cancel(false);
        if (pingTimer != null) {
            pingTimer.cancel(false);
            pingTimer = null;
        }
        if (drainTimer != null) {
            drainTimer.cancel(false);
        }
        fail(new java.net.ConnectException(cx.pooled().key()
                + ": the connection closed before the server's HTTP/2 settings (does it speak HTTP/2 there?)"));
        releaseHeldSlots();
        ctx.fireChannelInactive();
    }

    /**
     * Opens a stream for {@code exchange} on the slot the pool gave it, and starts the exchange
     * there. A stream that cannot be opened gives its slot back and fails the attempt as
     * unprocessed, so it is retried on another connection.
     */
    public void openStream(Exchange<?> exchange) {
        boolean reused = streamsOpened++ > 0;
        StreamCarrier carrier = new StreamCarrier(cx, this, exchange);
        if (goAwayReceived || !ctx.channel().isActive()) {
            slotFreed(carrier, false);
            exchange.failAttempt(carrier.unprocessed("the connection is going away"));
            return;
        }
        assert ctx.executor().inEventLoop();
        streams.handler(new StreamInitializer(carrier, settings))
                .open()
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        slotFreed(carrier, false);
                        exchange.failAttempt(carrier.unprocessed("no stream could be opened: " + f.cause().getMessage()));
                        return;
                    }
                    Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
                    carrier.stream(stream);
                    openStreams.incrementAndGet();
                    stream.closeFuture().addListener(closed -> {
                        openStreams.decrementAndGet();
                        carrier.streamClosed();
                    });
                    exchange.stream(stream);
                    ExchangeReader reader = PipelineInitializer.reader(stream);
                    if (reader == null) {
                        exchange.failAttempt(carrier.unprocessed("the stream closed before the request"));
                        return;
                    }
                    reader.begin(exchange, reused);
                });
    }

    /** A stream slot taken for a request that left before its stream was opened. */
    public void releaseUnused() {
        releaseSlot();
    }

    /**
     * The stream of {@code carrier} has closed, or never opened. A stream this side reset while
     * the connection might be hung keeps its slot until a PING is answered (or the connection closes).
     */
    void slotFreed(StreamCarrier carrier, boolean resetByThisSide) {
        if (resetByThisSide && carrier.streamId() > 0) {
            lateResets.reset(carrier.streamId());
        }
        if (resetByThisSide && ctx.channel().isActive()) {
            heldSlots.add(carrier);
            ping();
        } else {
            releaseSlot();
        }
    }

    /** The server refused a stream; a second refusal retires the connection. */
    void streamRefused() {
        if (++refusedStreams >= 2 && cx.core().retire(cx.pooled(), CloseReason.STREAMS_REFUSED)) {
            ctx.close();
        }
    }

    private void releaseHeldSlots() {
        while (!heldSlots.isEmpty()) {
            heldSlots.remove(heldSlots.size() - 1);
            releaseSlot();
        }
    }

    private void releaseSlot() {
        releaseSlot(cx, ctx.channel());
    }

    /** Gives one stream slot of {@code channel} back and carries out the pool's verdict on the connection. */
    public static void releaseSlot(ConnectionContext cx, Channel channel) {
        OfferVerdict verdict = cx.core().releaseStream(cx.pooled());
        if (!verdict.isAccepted()) {
            channel.close();
        } else if (verdict.outcome() == OfferVerdict.Outcome.POOLED) {
            cx.idleTimer().arm(channel);
        }
    }

    /** Slots held for streams reset by this side, until a PING ack; for the leak check. */
    public int heldSlots() {
        return heldSlots.size();
    }

    /** Received bytes not yet returned to the connection window; 0 once every stream's data was consumed or dropped. */
    public int unconsumedBytes() {
        Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
        if (codec == null) {
            return 0;
        }
        return codec.connection().local().flowController().unconsumedBytes(codec.connection().connectionStream());
    }

    /** The error name of an HTTP/2 error code, as a {@link StreamResetException} carries it. */
    static String errorName(long code) {
        io.netty.handler.codec.http2.Http2Error error = io.netty.handler.codec.http2.Http2Error.valueOf(code);
        return error == null ? "0x" + Long.toHexString(code) : error.name();
    }
}
