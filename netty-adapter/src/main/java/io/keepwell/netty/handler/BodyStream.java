package io.keepwell.netty.handler;

import io.keepwell.http.BorrowingBodySubscriber;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

import java.net.http.HttpResponse;
import io.netty.channel.EventLoop;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Flow;

/**
 * The subscription between a response body on the wire and the caller's subscriber. It honours
 * demand: with none outstanding it stops reading from the socket (auto-read off) and resumes when
 * the subscriber asks for more, so a slow subscriber holds a few chunks, not the whole body.
 * Every field is confined to the channel's event loop; {@link #request} and {@link #cancel} hop
 * onto it.
 */
final class BodyStream implements Flow.Subscription {

    /** The channel side of the stream. */
    interface Owner {
        /** The subscriber walked away before the body ended: the exchange must end. */
        void abort(Throwable cause);

        /** Reading stopped for lack of demand: a slow subscriber is not a slow server. */
        void readingPaused();

        /** Reading resumed. */
        void readingResumed();

        /**
         * The subscriber threw from {@code onComplete} or {@code onError}, so its body future may
         * never complete: the exchange fails with the subscriber's own exception.
         */
        void subscriberFailed(Exchange<?> exchange, RuntimeException cause);
    }

    private final Channel channel;
    private final EventLoop loop;
    private final HttpResponse.BodySubscriber<?> subscriber;
    private final Owner owner;
    private final Exchange<?> exchange;
    private final BodyBufferGauge gauge;
    private final boolean borrowing; // the subscriber keeps no buffer past onNext: it is lent views, not copies
    private long queuedBytes;
    private ArrayDeque<ByteBuffer> queue; // made when a chunk first waits: usually chunks go straight to a subscriber with demand
    private long demand;
    private boolean ended;      // the last byte arrived
    private Throwable failure;  // the body failed; delivered once the subscriber is told
    private boolean terminated; // onComplete or onError was called, or the subscriber cancelled
    private boolean draining;
    private boolean pausedReading;

    BodyStream(Channel channel, Exchange<?> exchange, HttpResponse.BodySubscriber<?> subscriber, Owner owner, BodyBufferGauge gauge) {
        this.exchange = exchange;
        this.gauge = gauge;
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.subscriber = subscriber;
        this.owner = owner;
        this.borrowing = borrows(subscriber);
    }

    @Override
    public void request(long n) {
        if (loop.inEventLoop()) {
            request0(n);
        } else {
            onLoop(() -> request0(n));
        }
    }

    @Override
    public void cancel() {
        if (loop.inEventLoop()) {
            cancel0();
        } else {
            onLoop(this::cancel0);
        }
    }

    /**
     * A loop that no longer takes tasks belongs to a closed client. It runs nothing any more, so
     * the signal runs here: a body that had fully arrived can still be read to its end after the
     * client closed, and a Flow subscription must not throw.
     */
    private void onLoop(Runnable task) {
        try {
            loop.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            task.run();
        }
    }

    /** Whether reading is paused for lack of demand (the abandoned-body limit runs). */
    boolean isReadingPaused() {
        return pausedReading;
    }

    /**
     * A chunk arrived, in memory the decoder reuses once this returns. A subscriber with demand
     * gets it straight away: a borrowing one as a read-only view of that memory, any other as a
     * copy it may keep. A chunk that must wait for demand is queued as a copy.
     */
    void push(ByteBuf bytes) {
        if (terminated) {
            return;
        }
        if (demand > 0 && queueEmpty() && !draining && failure == null) {
            demand--; // the common case: handed straight over, never queued
            deliver(borrowing ? bytes.nioBuffer().asReadOnlyBuffer() : copyOf(bytes));
            return;
        }
        ByteBuffer chunk = copyOf(bytes);
        if (queue == null) {
            queue = new ArrayDeque<>(4);
        }
        queue.add(chunk);
        queuedBytes += chunk.remaining();
        gauge.add(chunk.remaining());
        drain();
        if (!terminated && demand == 0 && !ended && !pausedReading) {
            pausedReading = true;
            channel.config().setAutoRead(false);
            owner.readingPaused();
        }
    }

    /** The body ended at its framed end. */
    void end() {
        ended = true;
        resumeReadingIfPaused();
        drain();
    }

    /** The body cannot complete; queued chunks are dropped and the subscriber hears the cause. */
    void fail(Throwable cause) {
        ended = true;
        resumeReadingIfPaused();
        if (terminated) {
            return;
        }
        dropQueue();
        failure = cause;
        drain();
    }

    private void request0(long n) {
        if (terminated) {
            return;
        }
        if (n <= 0) {
            failure = new IllegalArgumentException("non-positive subscription request: " + n);
            dropQueue();
            drain();
            if (!ended) {
                owner.abort(failure);
            }
            return;
        }
        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
        drain();
        if (demand > 0 && queueEmpty()) {
            resumeReadingIfPaused();
        }
    }

    private void cancel0() {
        if (terminated) {
            return;
        }
        terminated = true;
        dropQueue();
        if (!ended) {
            owner.abort(new java.util.concurrent.CancellationException("body subscription cancelled"));
        }
    }

    private void resumeReadingIfPaused() {
        if (pausedReading) {
            pausedReading = false;
            channel.config().setAutoRead(true);
            if (!ended) {
                owner.readingResumed();
            }
        }
    }

    private void drain() {
        if (draining) {
            return; // a subscriber calling request() from onNext; the outer loop continues
        }
        draining = true;
        try {
            while (!terminated) {
                if (failure != null) {
                    terminated = true;
                    signalTerminal(failure);
                } else if (!queueEmpty() && demand > 0) {
                    demand--;
                    ByteBuffer chunk = queue.poll();
                    queuedBytes -= chunk.remaining();
                    gauge.add(-chunk.remaining());
                    deliver(chunk);
                } else if (queueEmpty() && ended) {
                    terminated = true;
                    signalTerminal(null);
                } else {
                    break;
                }
            }
        } finally {
            draining = false;
        }
    }

    /** onError({@code error}), or onComplete if it is null; a subscriber that throws from either still ends its exchange. */
    private void signalTerminal(Throwable error) {
        try {
            if (error == null) {
                subscriber.onComplete();
            } else {
                subscriber.onError(error);
            }
        } catch (RuntimeException e) {
            owner.subscriberFailed(exchange, e);
        }
    }

    private void dropQueue() {
        if (queue != null) {
            queue.clear();
        }
        gauge.add(-queuedBytes);
        queuedBytes = 0;
    }

    private boolean queueEmpty() {
        return queue == null || queue.isEmpty();
    }

    private static ByteBuffer copyOf(ByteBuf bytes) {
        ByteBuffer copy = ByteBuffer.allocate(bytes.readableBytes());
        bytes.getBytes(bytes.readerIndex(), copy);
        return copy.flip();
    }

    /**
     * Whether {@code subscriber} is done with each buffer when {@code onNext} returns: it says so,
     * or it is the JDK's discarding subscriber, which ignores what it is given.
     */
    static boolean borrows(HttpResponse.BodySubscriber<?> subscriber) {
        return subscriber instanceof BorrowingBodySubscriber<?> || subscriber.getClass() == JDK_DISCARDING;
    }

    private static final Class<?> JDK_DISCARDING = HttpResponse.BodySubscribers.discarding().getClass();

    private void deliver(ByteBuffer chunk) {
        try {
            subscriber.onNext(List.of(chunk));
        } catch (RuntimeException e) {
            terminated = true;
            dropQueue();
            if (!ended) {
                owner.abort(e);
            }
            signalTerminal(e);
        }
    }
}
