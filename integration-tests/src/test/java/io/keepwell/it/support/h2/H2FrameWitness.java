package io.keepwell.it.support.h2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.logging.LogLevel;

/**
 * Netty's frame logger, used as a wire tap: the codec calls it for every frame it reads and
 * writes, including those it writes on its own (a REFUSED_STREAM over the concurrency limit), so
 * the log it keeps is independent of the server's scripted handler. Still logs at TRACE.
 */
final class H2FrameWitness extends Http2FrameLogger {

    private final H2WireLog log;

    H2FrameWitness(H2WireLog log) {
        super(LogLevel.TRACE, H2FrameWitness.class);
        this.log = log;
    }

    @Override
    public void logHeaders(Direction direction, ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endStream) {
        headers(direction, streamId);
        super.logHeaders(direction, ctx, streamId, headers, padding, endStream);
    }

    @Override
    public void logHeaders(Direction direction, ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                           short weight, boolean exclusive, int padding, boolean endStream) {
        headers(direction, streamId);
        super.logHeaders(direction, ctx, streamId, headers, streamDependency, weight, exclusive, padding, endStream);
    }

    private void headers(Direction direction, int streamId) {
        if (direction == Direction.INBOUND) {
            log.headersRead(streamId);
        }
    }

    @Override
    public void logData(Direction direction, ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endStream) {
        if (direction == Direction.OUTBOUND) {
            log.dataWritten(streamId, data.readableBytes() + padding, endStream);
        }
        super.logData(direction, ctx, streamId, data, padding, endStream);
    }

    @Override
    public void logRstStream(Direction direction, ChannelHandlerContext ctx, int streamId, long errorCode) {
        if (direction == Direction.INBOUND) {
            log.resetRead(streamId, errorCode);
        } else {
            log.resetWritten(streamId, errorCode);
        }
        super.logRstStream(direction, ctx, streamId, errorCode);
    }

    @Override
    public void logPing(Direction direction, ChannelHandlerContext ctx, long data) {
        if (direction == Direction.INBOUND) {
            log.pingRead();
        }
        super.logPing(direction, ctx, data);
    }

    @Override
    public void logGoAway(Direction direction, ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
        if (direction == Direction.OUTBOUND) {
            log.goAwayWritten(lastStreamId);
        }
        super.logGoAway(direction, ctx, lastStreamId, errorCode, debugData);
    }

    @Override
    public void logSettings(Direction direction, ChannelHandlerContext ctx, Http2Settings settings) {
        if (direction == Direction.OUTBOUND) {
            log.settingsWritten(settings.maxConcurrentStreams());
        }
        super.logSettings(direction, ctx, settings);
    }

    @Override
    public void logSettingsAck(Direction direction, ChannelHandlerContext ctx) {
        if (direction == Direction.INBOUND) {
            log.settingsAckRead();
        }
        super.logSettingsAck(direction, ctx);
    }
}
