package io.keepwell.it.support.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2SettingsAckFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.ReferenceCountUtil;

import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Sits after the server's {@link io.netty.handler.codec.http2.Http2FrameCodec} on the connection's
 * channel: gathers each stream's request, asks the script for the reply and performs it. Acks
 * PINGs itself (the codec's auto-ack is off) so that a silenced connection can stop.
 */
final class H2StreamResponder extends ChannelInboundHandlerAdapter {

    private final H2ServerConnection connection;
    private final Http2Connection http2;
    private final H2Knobs knobs;
    private final Consumer<H2Request> requestLog;
    private final Map<Integer, RequestInProgress> reading = new HashMap<>(); // event loop only

    H2StreamResponder(H2ServerConnection connection, Http2Connection http2, H2Knobs knobs, Consumer<H2Request> requestLog) {
        this.connection = connection;
        this.http2 = http2;
        this.knobs = knobs;
        this.requestLog = requestLog;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Http2Exception {
        try {
            if (connection.silent()) {
                return;
            }
            if (msg instanceof Http2HeadersFrame headers) {
                headersRead(ctx, headers);
            } else if (msg instanceof Http2DataFrame data) {
                dataRead(ctx, data);
            } else if (msg instanceof Http2PingFrame ping && !ping.ack()) {
                ctx.writeAndFlush(new DefaultHttp2PingFrame(ping.content(), true));
            } else if (msg instanceof Http2ResetFrame reset) {
                reading.remove(reset.stream().id());
            } else if (msg instanceof Http2SettingsAckFrame && knobs.windowUpdates()) {
                returnWindowAfterSettingsChange(ctx);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void headersRead(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
        Http2FrameStream stream = frame.stream();
        RequestInProgress request = reading.get(stream.id());
        if (request == null) {
            if (knobs.tryRefuse()) {
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM).stream(stream));
                return;
            }
            request = new RequestInProgress(stream, frame.headers());
            reading.put(stream.id(), request);
        }
        if (frame.isEndStream()) {
            dispatch(ctx, reading.remove(stream.id()));
        }
    }

    private void dataRead(ChannelHandlerContext ctx, Http2DataFrame frame) {
        RequestInProgress request = reading.get(frame.stream().id());
        if (request == null) {
            return; // refused or reset: the codec gives the connection window back itself
        }
        request.append(frame.content());
        if (knobs.windowUpdates() && frame.initialFlowControlledBytes() > 0) {
            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(frame.initialFlowControlledBytes()).stream(frame.stream()));
        }
        if (frame.isEndStream()) {
            dispatch(ctx, reading.remove(frame.stream().id()));
        }
    }

    /**
     * Netty's local flow controller looks for a WINDOW_UPDATE to send only when bytes are consumed.
     * A client that sent body before our SETTINGS lowered the initial window can be left at a
     * negative window with every byte already consumed: both sides would then wait for ever.
     */
    private void returnWindowAfterSettingsChange(ChannelHandlerContext ctx) throws Http2Exception {
        for (int streamId : reading.keySet()) {
            Http2Stream stream = http2.stream(streamId);
            if (stream != null) {
                http2.local().flowController().incrementWindowSize(stream, 0);
            }
        }
        ctx.flush();
    }

    private void dispatch(ChannelHandlerContext ctx, RequestInProgress inProgress) {
        H2Request request = inProgress.toRequest(connection.id());
        requestLog.accept(request);
        perform(ctx, inProgress.stream, knobs.script().replyTo(request));
    }

    private void perform(ChannelHandlerContext ctx, Http2FrameStream stream, H2Reply reply) {
        if (connection.silent() || stream.state() == Http2Stream.State.CLOSED || !ctx.channel().isActive()) {
            return; // a GOAWAY below the stream, the client's RST_STREAM, or a close came first
        }
        if (reply instanceof H2Reply.Respond respond) {
            respond(ctx, stream, respond);
        } else if (reply instanceof H2Reply.Delayed delayed) {
            ctx.executor().schedule(() -> perform(ctx, stream, delayed.then()), delayed.delay().toNanos(), TimeUnit.NANOSECONDS);
        } else if (reply instanceof H2Reply.Held held) {
            held.gate().whenReleased(() -> {
                if (!ctx.executor().isShuttingDown()) {
                    ctx.executor().execute(() -> perform(ctx, stream, held.then()));
                }
            });
        } else if (reply instanceof H2Reply.Reset reset) {
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(reset.error()).stream(stream));
        }
    }

    private static void respond(ChannelHandlerContext ctx, Http2FrameStream stream, H2Reply.Respond respond) {
        byte[] body = respond.body();
        Http2Headers headers = new DefaultHttp2Headers().status(Integer.toString(respond.status())).setInt("content-length", body.length);
        ctx.write(new DefaultHttp2HeadersFrame(headers, body.length == 0).stream(stream));
        if (body.length > 0) {
            ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true).stream(stream));
        }
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2FrameStreamException streamError) {
            reading.remove(streamError.stream().id());
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(streamError.error()).stream(streamError.stream()));
        } else {
            ctx.close(); // the codec has already sent GOAWAY for a connection error
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        reading.clear();
        ctx.fireChannelInactive();
    }

    /** Headers and body so far of a stream whose request has not ended. */
    private static final class RequestInProgress {
        final Http2FrameStream stream;
        final Http2Headers headers;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();

        RequestInProgress(Http2FrameStream stream, Http2Headers headers) {
            this.stream = stream;
            this.headers = headers;
        }

        void append(ByteBuf content) {
            body.writeBytes(ByteBufUtil.getBytes(content));
        }

        H2Request toRequest(int connectionId) {
            Map<String, String> named = new LinkedHashMap<>();
            headers.forEach(e -> named.put(e.getKey().toString(), e.getValue().toString()));
            return new H2Request(connectionId, stream.id(), String.valueOf(headers.method()), String.valueOf(headers.path()),
                    Map.copyOf(named), body.toByteArray());
        }
    }
}
