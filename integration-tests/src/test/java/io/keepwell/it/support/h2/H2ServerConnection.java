package io.keepwell.it.support.h2;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2SettingsFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Settings;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/** One accepted connection: what the test may do to it, and its {@link #wire() wire log}. */
public final class H2ServerConnection {

    private final int id;
    private final Channel channel;
    private final H2WireLog wire;
    private final IntSupplier acceptedConnections;
    private volatile int acceptedWhenReady;
    private volatile String applicationProtocol = "";
    private volatile Http2FrameCodec codec; // null until HTTP/2 is spoken, and on HTTP/1.1
    private volatile boolean silent;

    H2ServerConnection(int id, Channel channel, H2WireLog wire, IntSupplier acceptedConnections) {
        this.id = id;
        this.acceptedConnections = acceptedConnections;
        this.channel = channel;
        this.wire = wire;
    }

    /** 1 for the first connection the server accepted, and so on. */
    public int id() {
        return id;
    }

    public H2WireLog wire() {
        return wire;
    }

    /**
     * Connections the server had accepted (this one included) when this one was ready to speak:
     * its TLS handshake done and protocol chosen, or at accept for h2c. A client that waits for a
     * new connection's SETTINGS before dialling another sees 1 here for its first connection.
     */
    public int acceptedConnectionsWhenReady() {
        return acceptedWhenReady;
    }

    /** The protocol ALPN agreed on ("" when none: h2c, or no ALPN from the client). */
    public String applicationProtocol() {
        return applicationProtocol;
    }

    public boolean isOpen() {
        return channel.isOpen();
    }

    /**
     * A black hole from now on: the connection stays open and keeps reading (the wire log still
     * counts PINGs), but answers nothing: no response, no PING ack, no WINDOW_UPDATE.
     */
    public void silence() {
        silent = true;
    }

    boolean silent() {
        return silent;
    }

    /**
     * Writes GOAWAY now. Streams above {@code lastStreamId} are closed on the server without a
     * reply; a later GOAWAY may only lower it. Any code but NO_ERROR also closes the connection
     * once written (Netty's rule).
     */
    public CompletableFuture<Void> goAway(int lastStreamId, Http2Error error) {
        return onEventLoop(() -> {
            ChannelHandlerContext ctx = codecContext();
            ChannelFuture written = codec.goAway(ctx, lastStreamId, error.code(), Unpooled.EMPTY_BUFFER, ctx.newPromise());
            ctx.flush();
            return written;
        });
    }

    /**
     * RFC 9113's graceful shutdown: GOAWAY(2^31-1, NO_ERROR), then after {@code gap} the real one,
     * whose last-stream-id is the last stream the server had accepted by then.
     */
    public CompletableFuture<Void> gracefulGoAway(Duration gap) {
        return goAway(Integer.MAX_VALUE, Http2Error.NO_ERROR).thenCompose(first -> {
            CompletableFuture<Void> second = new CompletableFuture<>();
            channel.eventLoop().schedule(() -> goAway(codec.connection().remote().lastStreamCreated(), Http2Error.NO_ERROR)
                    .whenComplete((v, e) -> complete(second, e)), gap.toNanos(), TimeUnit.NANOSECONDS);
            return second;
        });
    }

    /** A SETTINGS frame with the new SETTINGS_MAX_CONCURRENT_STREAMS; see {@link H2WireLog#ackedMaxConcurrentStreams()}. */
    public CompletableFuture<Void> maxConcurrentStreams(long streams) {
        return onEventLoop(() -> channel.writeAndFlush(new DefaultHttp2SettingsFrame(new Http2Settings().maxConcurrentStreams(streams))));
    }

    /** Closes the TCP connection at once, without GOAWAY. */
    public CompletableFuture<Void> close() {
        return onEventLoop(channel::close);
    }

    void spoke(String protocol, Http2FrameCodec codec) {
        this.codec = codec;
        spoke(protocol);
    }

    void spoke(String protocol) {
        this.applicationProtocol = protocol;
        this.acceptedWhenReady = acceptedConnections.getAsInt();
    }

    boolean speaksHttp2() {
        return codec != null;
    }

    private ChannelHandlerContext codecContext() {
        if (codec == null) {
            throw new IllegalStateException("connection " + id + " does not speak HTTP/2");
        }
        return channel.pipeline().context(codec);
    }

    private CompletableFuture<Void> onEventLoop(Supplier<ChannelFuture> action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        channel.eventLoop().execute(() -> {
            try {
                action.get().addListener(f -> complete(done, f.cause()));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    private static void complete(CompletableFuture<Void> future, Throwable failure) {
        if (failure == null) {
            future.complete(null);
        } else {
            future.completeExceptionally(failure);
        }
    }

    @Override
    public String toString() {
        return "connection " + id + " (" + (applicationProtocol.isEmpty() ? "no ALPN" : applicationProtocol)
                + (channel.isOpen() ? ", open" : ", closed") + ", streams " + wire.streamIds() + ", open now " + wire.openStreams() + ", PINGs " + wire.pingsReceived()
                + ", resets in " + wire.resetsReceived().size() + ", out " + wire.resetsSent().size() + ")";
    }
}
