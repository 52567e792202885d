package io.keepwell.it.support;

import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A one-shot request body publisher that counts its subscriptions: {@code chunks} buffers of
 * {@code chunkSize} bytes, emitted either synchronously inside {@code request(n)} (as a simple
 * iterating publisher does) or from {@code executor}, one signal at a time.
 */
public final class TestBodyPublisher implements Flow.Publisher<ByteBuffer> {

    private final int chunks;
    private final int chunkSize;
    private final Executor executor; // null: synchronous
    private final AtomicInteger subscriptions = new AtomicInteger();

    private TestBodyPublisher(int chunks, int chunkSize, Executor executor) {
        this.chunks = chunks;
        this.chunkSize = chunkSize;
        this.executor = executor;
    }

    /** Emits inside {@code request(n)}, on the thread that asks. */
    public static TestBodyPublisher synchronous(int chunks, int chunkSize) {
        return new TestBodyPublisher(chunks, chunkSize, null);
    }

    /** Emits from {@code executor} (which must run tasks one at a time). */
    public static TestBodyPublisher on(Executor executor, int chunks, int chunkSize) {
        return new TestBodyPublisher(chunks, chunkSize, executor);
    }

    public long length() {
        return (long) chunks * chunkSize;
    }

    /** How many times it was subscribed to. */
    public int subscriptions() {
        return subscriptions.get();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        subscriptions.incrementAndGet();
        subscriber.onSubscribe(new Subscription(subscriber));
    }

    private final class Subscription implements Flow.Subscription {
        private final Flow.Subscriber<? super ByteBuffer> subscriber;
        private final AtomicLong demand = new AtomicLong();
        private final AtomicBoolean done = new AtomicBoolean();
        private int emitted; // by the thread that raised demand from zero

        Subscription(Flow.Subscriber<? super ByteBuffer> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (demand.getAndAdd(n) > 0) {
                return; // whoever raised demand from zero is emitting
            }
            if (executor == null) {
                emit();
            } else {
                executor.execute(this::emit);
            }
        }

        private void emit() {
            do {
                if (done.get()) {
                    return;
                }
                if (emitted == chunks) {
                    if (done.compareAndSet(false, true)) {
                        subscriber.onComplete();
                    }
                    return;
                }
                byte[] chunk = new byte[chunkSize];
                for (int i = 0; i < chunkSize; i++) {
                    chunk[i] = Actions.patternByte((long) emitted * chunkSize + i);
                }
                emitted++;
                subscriber.onNext(ByteBuffer.wrap(chunk));
            } while (demand.decrementAndGet() > 0);
            if (emitted == chunks && done.compareAndSet(false, true)) {
                subscriber.onComplete();
            }
        }

        @Override
        public void cancel() {
            done.set(true);
        }
    }
}
