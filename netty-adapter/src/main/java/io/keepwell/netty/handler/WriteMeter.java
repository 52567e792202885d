package io.keepwell.netty.handler;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelProgressiveFuture;
import io.netty.channel.ChannelProgressiveFutureListener;
import io.netty.channel.ChannelProgressivePromise;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;

/**
 * The one place that counts what of a request reached the socket (Go's {@code persistConnWriter}
 * counting {@code nwrite}): the first handler of the pipeline, so every write passes it, whoever
 * made it (the writer, a streamed body, the TLS handler's records). A message's bytes count when
 * the transport reports them written, from its write future: as progress for a partly written
 * buffer or file region, and the rest on success. A failed or refused write counts what it had
 * reported. On https it counts the TLS records that carry the request.
 *
 * <p>Whether any request byte was written decides if a failed non-idempotent request may be sent
 * again, so the count must never be below what the peer may have received. Event loop only.
 */
public final class WriteMeter extends ChannelOutboundHandlerAdapter {

    /** Told whenever request bytes reach the socket (for the write timeout). */
    interface Progress {
        void progressed();
    }

    private Exchange<?> counting; // event loop only: the exchange whose request is being written
    private Progress progress;    // event loop only

    /** Bytes written from now on are {@code exchange}'s, until {@link #stopCounting}; each write is told to {@code progress}. */
    void countFor(Exchange<?> exchange, Progress progress) {
        this.counting = exchange;
        this.progress = progress;
    }

    /** The exchange's request is over (written, or failed): later bytes are nobody's. */
    void stopCounting(Exchange<?> exchange) {
        if (counting == exchange) {
            counting = null;
            progress = null;
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        Exchange<?> exchange = counting;
        long size = sizeOf(msg);
        if (exchange == null || size == 0) {
            ctx.write(msg, promise);
            return;
        }
        ChannelProgressivePromise metered = ctx.newProgressivePromise();
        metered.addListener(new Counted(exchange, progress, size, promise));
        ctx.write(msg, metered);
    }

    private static long sizeOf(Object msg) {
        if (msg instanceof ByteBuf buf) {
            return buf.readableBytes();
        }
        if (msg instanceof ByteBufHolder holder) {
            return holder.content().readableBytes();
        }
        if (msg instanceof FileRegion region) {
            return region.count() - region.transferred();
        }
        return 0;
    }

    /** Adds one message's written bytes to its exchange, then completes the writer's promise. */
    private static final class Counted implements ChannelProgressiveFutureListener {
        private final Exchange<?> exchange;
        private final Progress progress;
        private final long size;
        private final ChannelPromise original;
        private long counted;

        Counted(Exchange<?> exchange, Progress progress, long size, ChannelPromise original) {
            this.exchange = exchange;
            this.progress = progress;
            this.size = size;
            this.original = original;
        }

        @Override
        public void operationProgressed(ChannelProgressiveFuture future, long progress, long total) {
            add(Math.min(progress, size));
        }

        @Override
        public void operationComplete(ChannelProgressiveFuture future) {
            if (future.isSuccess()) {
                add(size);
                original.trySuccess();
            } else {
                original.tryFailure(future.cause());
            }
        }

        private void add(long upTo) {
            if (upTo > counted) {
                exchange.bytesWritten += upTo - counted;
                counted = upTo;
                progress.progressed();
            }
        }
    }
}
