package io.keepwell.it.support;

import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A cold publisher of a request body: every subscriber gets the whole body,
 * {@link ChaosServer#bodyByte(long, int)} of {@code id}, from its first byte, in chunks of
 * {@code chunk} bytes, only as far as it asked. With no executor it emits from inside
 * {@code request(n)}, as many simple publishers do; with one, on the executor's threads. It can be
 * told to misbehave once it reached a byte offset: signal an error, throw from {@code request},
 * or stop emitting for good.
 */
public final class PatternPublisher implements Flow.Publisher<ByteBuffer> {

    /** What the publisher does once it has emitted {@code faultAt} bytes. */
    public enum Fault { NONE, ON_ERROR, THROW_FROM_REQUEST, STALL }

    private final long id;
    private final long length;
    private final int chunk;
    private final Executor executor;
    private final Fault fault;
    private final long faultAt;
    private final RuntimeException failure;
    private final AtomicInteger subscriptions = new AtomicInteger();

    private PatternPublisher(long id, long length, int chunk, Executor executor, Fault fault, long faultAt,
                             RuntimeException failure) {
        if (chunk <= 0) {
            throw new IllegalArgumentException("chunk " + chunk);
        }
        this.id = id;
        this.length = length;
        this.chunk = chunk;
        this.executor = executor;
        this.fault = fault;
        this.faultAt = faultAt;
        this.failure = failure;
    }

    /** A well-behaved publisher; {@code executor} null emits synchronously. */
    public static PatternPublisher of(long id, long length, int chunk, Executor executor) {
        return new PatternPublisher(id, length, chunk, executor, Fault.NONE, Long.MAX_VALUE, null);
    }

    /** The same body that misbehaves as {@code fault} says once {@code at} bytes were emitted. */
    public PatternPublisher failing(Fault fault, long at, RuntimeException failure) {
        return new PatternPublisher(id, length, chunk, executor, fault, at, failure);
    }

    /** How many subscribers it has had. */
    public int subscriptions() {
        return subscriptions.get();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        subscriptions.incrementAndGet();
        subscriber.onSubscribe(new Emission(subscriber));
    }

    /** One subscription; a drain loop that only one thread runs at a time. */
    private final class Emission implements Flow.Subscription {
        private final Flow.Subscriber<? super ByteBuffer> subscriber;
        private final AtomicLong demand = new AtomicLong();
        private final AtomicInteger wip = new AtomicInteger();
        private final AtomicBoolean done = new AtomicBoolean();
        private long sent; // drain loop only

        Emission(Flow.Subscriber<? super ByteBuffer> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                if (done.compareAndSet(false, true)) {
                    subscriber.onError(new IllegalArgumentException("request(" + n + ")"));
                }
                return;
            }
            if (fault == Fault.THROW_FROM_REQUEST && sent >= faultAt) {
                throw failure;
            }
            demand.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            if (executor == null) {
                drain();
            } else {
                executor.execute(this::drain);
            }
        }

        @Override
        public void cancel() {
            done.set(true);
        }

        private void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            do {
                while (!done.get() && sent < length && demand.get() > 0) {
                    if (sent >= faultAt) {
                        if (fault == Fault.ON_ERROR && done.compareAndSet(false, true)) {
                            subscriber.onError(failure);
                        }
                        if (fault != Fault.NONE) {
                            break;
                        }
                    }
                    int n = (int) Math.min(chunk, Math.min(length - sent, faultAt > sent ? faultAt - sent : Long.MAX_VALUE));
                    byte[] bytes = new byte[n];
                    for (int i = 0; i < n; i++) {
                        bytes[i] = ChaosServer.bodyByte(id, (int) ((sent + i) % 26));
                    }
                    sent += n;
                    demand.decrementAndGet();
                    subscriber.onNext(ByteBuffer.wrap(bytes));
                }
                if (sent >= length && done.compareAndSet(false, true)) {
                    subscriber.onComplete();
                }
                missed = wip.addAndGet(-missed);
            } while (missed != 0);
        }
    }
}
