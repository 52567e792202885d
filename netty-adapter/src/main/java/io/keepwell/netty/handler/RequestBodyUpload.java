package io.keepwell.netty.handler;

import io.keepwell.http.RequestBodyException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;

import java.nio.ByteBuffer;
import java.util.concurrent.Flow;

/**
 * Streams a request body from the caller's publisher to the channel, one buffer at a time and only
 * while the channel is writable, so a fast publisher and a slow server never pile data up in the
 * client. The buffers passed to {@code onNext} belong to the client from then on. Signals may come
 * on any thread; all work runs on the channel's event loop. A failure of the body itself (the
 * publisher's error, a wrong length, a publisher that throws) fails {@code done} with
 * {@link RequestBodyException}, which the reader tells from a failure of the connection.
 */
final class RequestBodyUpload implements Flow.Subscriber<ByteBuffer> {

    private final ChannelHandlerContext ctx;
    private final String request;
    private final EventLoop loop;
    private final long declaredLength;
    private final ChannelPromise done;
    private Flow.Subscription subscription; // event loop only, after onSubscribe
    private boolean requested;              // event loop only: one buffer asked for, not yet arrived
    private boolean finished;               // event loop only
    private long sent;                      // event loop only

    /** {@code done} completes when the last byte is written, or fails the exchange. */
    RequestBodyUpload(ChannelHandlerContext ctx, String request, long declaredLength, ChannelPromise done) {
        this.ctx = ctx;
        this.request = request;
        this.loop = ctx.channel().eventLoop();
        this.declaredLength = declaredLength;
        this.done = done;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        onLoop(() -> {
            if (subscription != null || finished) {
                s.cancel();
                return;
            }
            subscription = s;
            requestMoreIfWritable();
        });
    }

    @Override
    public void onNext(ByteBuffer item) {
        onLoop(() -> {
            if (finished) {
                return;
            }
            requested = false;
            sent += item.remaining();
            if (declaredLength >= 0 && sent > declaredLength) {
                fail(new IllegalArgumentException("the request body publisher emitted more than the declared " + declaredLength + " bytes"));
                return;
            }
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(item)));
            requestMoreIfWritable();
        });
    }

    @Override
    public void onError(Throwable throwable) {
        onLoop(() -> fail(throwable));
    }

    @Override
    public void onComplete() {
        onLoop(() -> {
            if (finished) {
                return;
            }
            if (declaredLength >= 0 && sent != declaredLength) {
                fail(new IllegalArgumentException("the request body publisher emitted " + sent + " bytes, not the declared " + declaredLength));
                return;
            }
            finished = true;
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, done);
        });
    }

    /** Body bytes the publisher produced so far. */
    long sent() {
        return sent;
    }

    /** The channel can take more. */
    void writable() {
        requestMoreIfWritable();
    }

    /** The channel is gone, or the exchange ended: stop the publisher. */
    void cancel() {
        if (!finished) {
            finished = true;
            if (subscription != null) {
                subscription.cancel();
            }
            done.tryFailure(new java.nio.channels.ClosedChannelException());
        }
    }

    boolean isFinished() {
        return finished;
    }

    private void requestMoreIfWritable() {
        if (!finished && subscription != null && !requested && ctx.channel().isWritable()) {
            requested = true;
            try {
                subscription.request(1);
            } catch (RuntimeException e) {
                fail(e);
            }
        }
    }

    /** The body cannot be produced: the exchange fails as the caller's own failure. */
    void fail(Throwable cause) {
        if (finished) {
            return;
        }
        finished = true;
        if (subscription != null) {
            try {
                subscription.cancel();
            } catch (RuntimeException ignored) {
                // the publisher is given up on either way
            }
        }
        // The JDK's ofInputStream() reports its stream's IOException wrapped unchecked; the caller's own is the one to show.
        Throwable own = cause instanceof java.io.UncheckedIOException unchecked && unchecked.getCause() != null ? unchecked.getCause() : cause;
        done.tryFailure(new RequestBodyException(request, own));
    }

    private void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }
}
