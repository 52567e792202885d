package io.keepwell.http;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A body held in memory. Replayable; transports may read {@link #content()} directly instead of
 * subscribing.
 */
public final class ByteArrayBodyPublisher implements HttpRequest.BodyPublisher {

    private final byte[] bytes;

    ByteArrayBodyPublisher(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A read-only view of the whole body. */
    public ByteBuffer content() {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    @Override
    public long contentLength() {
        return bytes.length;
    }

    @Override
    public boolean isReplayable() {
        return true;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        subscriber.onSubscribe(new Flow.Subscription() {
            private final AtomicBoolean done = new AtomicBoolean();

            @Override
            public void request(long n) {
                if (n <= 0) {
                    if (done.compareAndSet(false, true)) {
                        subscriber.onError(new IllegalArgumentException("non-positive request: " + n));
                    }
                    return;
                }
                if (done.compareAndSet(false, true)) {
                    if (bytes.length > 0) {
                        subscriber.onNext(content());
                    }
                    subscriber.onComplete();
                }
            }

            @Override
            public void cancel() {
                done.set(true);
            }
        });
    }
}
