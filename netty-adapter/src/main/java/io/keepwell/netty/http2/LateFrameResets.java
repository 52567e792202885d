package io.keepwell.netty.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

import java.util.ArrayList;
import java.util.List;

/**
 * Drops the {@code RST_STREAM(STREAM_CLOSED)} Netty's decoder sends for frames that arrive on a
 * stream this side has just reset. RFC 9113 section 5.1 says such frames, sent before the server
 * saw the reset, are to be ignored; Netty forgets a stream once it is closed and answers them with
 * a second reset (netty/netty#8025), so a cancel would cost the server two resets. The streams
 * this side reset are remembered until the server answers a PING sent after them: frames arrive in
 * order, so after that ack none of theirs can still come (a stream reset after the PING went out
 * waits for the next one). Sits just below the frame codec, where its frames are bytes; event loop
 * only.
 */
final class LateFrameResets extends ChannelOutboundHandlerAdapter {

    private static final int RST_STREAM_FRAME_LENGTH = 13; // 9-byte frame header, 4-byte error code
    private static final byte RST_STREAM = 0x3;
    private static final int STREAM_CLOSED = 0x5;

    private final List<Integer> resetByThisSide = new ArrayList<>(); // in the order reset
    private int coveredByPing; // the first this many were reset before the PING in flight went out

    /** This side reset stream {@code id}; late frames on it are to be ignored. */
    void reset(int id) {
        resetByThisSide.add(id);
    }

    /** A PING goes out: the streams reset so far are forgotten once it is answered. */
    void pingSent() {
        coveredByPing = resetByThisSide.size();
    }

    /**
     * The PING was answered: the streams reset before it are forgotten. Returns whether some were
     * reset after it went out, so another PING must follow for them.
     */
    boolean pingAnswered() {
        resetByThisSide.subList(0, coveredByPing).clear();
        coveredByPing = 0;
        return !resetByThisSide.isEmpty();
    }

    /** Streams remembered; for tests. */
    int remembered() {
        return resetByThisSide.size();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!resetByThisSide.isEmpty() && msg instanceof ByteBuf frame && isLateFrameReset(frame)) {
            frame.release();
            promise.trySuccess();
            return;
        }
        ctx.write(msg, promise);
    }

    private boolean isLateFrameReset(ByteBuf frame) {
        int at = frame.readerIndex();
        return frame.readableBytes() == RST_STREAM_FRAME_LENGTH
                && frame.getByte(at + 3) == RST_STREAM
                && frame.getInt(at + 9) == STREAM_CLOSED
                && resetByThisSide.contains(frame.getInt(at + 5) & 0x7fff_ffff);
    }
}
