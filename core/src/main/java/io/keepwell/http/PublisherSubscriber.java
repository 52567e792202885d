package io.keepwell.http;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hands the body to the caller as a publisher, available as soon as the headers are: the caller's
 * subscriber is connected straight to the transport's subscription, so its demand is what makes
 * the client read. One subscriber only. A body nobody subscribes to holds its connection until the
 * client's abandoned-body deadline closes it.
 */
final class PublisherSubscriber implements HttpResponse.BodySubscriber<Flow.Publisher<List<ByteBuffer>>>,
        Flow.Publisher<List<ByteBuffer>> {

    private final CompletableFuture<Flow.Publisher<List<ByteBuffer>>> body = new CompletableFuture<>(); // once the transport subscribed
    private final AtomicBoolean subscribed = new AtomicBoolean();
    private final Object lock = new Object();
    private Flow.Subscription upstream;                 // guarded by lock
    private Flow.Subscriber<? super List<ByteBuffer>> downstream; // guarded by lock
    private boolean completed;                          // guarded by lock: upstream ended before anyone subscribed
    private Throwable failure;                          // guarded by lock

    @Override
    public void subscribe(Flow.Subscriber<? super List<ByteBuffer>> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        if (!subscribed.compareAndSet(false, true)) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                }

                @Override
                public void cancel() {
                }
            });
            subscriber.onError(new IllegalStateException("a response body can be subscribed to only once"));
            return;
        }
        Flow.Subscription up;
        boolean done;
        Throwable error;
        synchronized (lock) {
            downstream = subscriber;
            up = upstream;
            done = completed;
            error = failure;
        }
        subscriber.onSubscribe(up);
        if (error != null) {
            subscriber.onError(error);
        } else if (done) {
            subscriber.onComplete();
        }
    }

    /** Whether the caller has subscribed; read by the abandoned-body check. */
    boolean isSubscribed() {
        return subscribed.get();
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        synchronized (lock) {
            upstream = subscription;
        }
        body.complete(this);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        // Items only flow on demand, and demand only comes from the downstream subscriber.
        downstream().onNext(item);
    }

    @Override
    public void onError(Throwable throwable) {
        Flow.Subscriber<? super List<ByteBuffer>> d;
        synchronized (lock) {
            d = downstream;
            if (d == null) {
                failure = throwable;
                return;
            }
        }
        d.onError(throwable);
    }

    @Override
    public void onComplete() {
        Flow.Subscriber<? super List<ByteBuffer>> d;
        synchronized (lock) {
            d = downstream;
            if (d == null) {
                completed = true;
                return;
            }
        }
        d.onComplete();
    }

    private Flow.Subscriber<? super List<ByteBuffer>> downstream() {
        synchronized (lock) {
            return downstream;
        }
    }

    @Override
    public CompletionStage<Flow.Publisher<List<ByteBuffer>>> getBody() {
        return body;
    }
}
