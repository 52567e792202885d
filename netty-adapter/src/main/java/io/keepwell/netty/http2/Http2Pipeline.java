package io.keepwell.netty.http2;

import io.keepwell.netty.handler.ChannelSettings;
import io.keepwell.netty.handler.ConnectionContext;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Installs HTTP/2 on a connection's pipeline: read-idle watch, the late-frame reset filter, Netty's
 * frame codec and multiplexer, the guard.
 */
public final class Http2Pipeline {

    public static final String IDLE = "h2-read-idle";
    public static final String LATE_RESETS = "h2-late-resets";
    public static final String FRAMES = "h2-frames";
    public static final String MULTIPLEX = "h2-multiplex";
    public static final String GUARD = "h2-guard";

    private Http2Pipeline() {
    }

    /** Adds the HTTP/2 handlers at the end of {@code p}; the connection is ready once the server's first settings arrive. */
    public static void install(ChannelPipeline p, ConnectionContext cx, Http2Options options, ChannelSettings settings,
                               ConnectionReadiness readiness, AtomicInteger openStreams) {
        Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
                .initialSettings(Http2Settings.defaultSettings()
                        .pushEnabled(false)
                        .initialWindowSize(options.initialWindowSize())
                        .maxHeaderListSize(settings.decoder().getMaxHeaderSize()))
                // Netty's close waits for open streams (30 s by default). Here a connection is closed only
                // once it has no stream (the pool's refusal), or to end what it carries (a dead PING, the
                // drain timeout after GOAWAY, the client's close): either way at once, after a GOAWAY.
                .gracefulShutdownTimeoutMillis(0)
                .build();
        LateFrameResets lateResets = new LateFrameResets();
        p.addLast(IDLE, new IdleStateHandler(options.pingInterval().toNanos(), 0, 0, TimeUnit.NANOSECONDS));
        p.addLast(LATE_RESETS, lateResets);
        p.addLast(FRAMES, codec);
        p.addLast(MULTIPLEX, new Http2MultiplexHandler(new RefusePushedStreams()));
        p.addLast(GUARD, new Http2ConnectionGuard(cx, options, settings, readiness, openStreams, lateResets));
    }

    /** Push is disabled in the client's settings; a server stream that arrives anyway is closed (reset). */
    private static final class RefusePushedStreams extends ChannelInboundHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.channel().close();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public boolean isSharable() {
            return true;
        }
    }
}
