package io.keepwell.http;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves chunks from a blocking source on the requesting thread, one per unit of demand, and
 * closes the source when it ends, fails or is cancelled.
 */
final class ChunkedSubscription implements Flow.Subscription {

    /** Gives the next chunk, or {@code null} at the end. */
    interface Source {
        ByteBuffer next() throws IOException;
    }

    static final Flow.Subscription EMPTY = new Flow.Subscription() {
        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
        }
    };

    private final Flow.Subscriber<? super ByteBuffer> subscriber;
    private final Source source;
    private final Closeable onEnd;
    private final AtomicLong demand = new AtomicLong();
    private final AtomicBoolean done = new AtomicBoolean();

    ChunkedSubscription(Flow.Subscriber<? super ByteBuffer> subscriber, Source source, Closeable onEnd) {
        this.subscriber = subscriber;
        this.source = source;
        this.onEnd = onEnd;
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            end(new IllegalArgumentException("non-positive request: " + n));
            return;
        }
        // Whoever raises demand from zero serves it; a request() from inside onNext only adds.
        if (demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b) > 0) {
            return;
        }
        do {
            if (done.get()) {
                return;
            }
            ByteBuffer chunk;
            try {
                chunk = source.next();
            } catch (IOException | RuntimeException e) {
                end(e);
                return;
            }
            if (chunk == null) {
                end(null);
                return;
            }
            subscriber.onNext(chunk);
        } while (demand.decrementAndGet() > 0);
    }

    @Override
    public void cancel() {
        if (done.compareAndSet(false, true)) {
            closeQuietly();
        }
    }

    private void end(Throwable failure) {
        if (!done.compareAndSet(false, true)) {
            return;
        }
        closeQuietly();
        if (failure == null) {
            subscriber.onComplete();
        } else {
            subscriber.onError(failure);
        }
    }

    private void closeQuietly() {
        try {
            onEnd.close();
        } catch (IOException ignored) {
            // the source is finished with either way
        }
    }
}
