package io.keepwell.it.soak;

import java.net.http.HttpResponse;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A slow reader: collects the body like {@code BodySubscribers.ofByteArray()}, but asks for one
 * item at a time, from another thread, after a pause of up to {@code maxPauseMicros}. It makes the
 * client stop and resume reading the socket while the server resets or truncates the response.
 */
final class TrickleSubscriber implements HttpResponse.BodySubscriber<byte[]> {

    private final HttpResponse.BodySubscriber<byte[]> collector = HttpResponse.BodySubscribers.ofByteArray();
    private final ScheduledExecutorService executor;
    private final int maxPauseMicros;
    private volatile Flow.Subscription subscription;

    TrickleSubscriber(ScheduledExecutorService executor, int maxPauseMicros) {
        this.executor = executor;
        this.maxPauseMicros = maxPauseMicros;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        collector.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                // demand is ours to give
            }

            @Override
            public void cancel() {
                s.cancel();
            }
        });
        requestOneLater();
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        collector.onNext(item);
        requestOneLater();
    }

    @Override
    public void onError(Throwable throwable) {
        collector.onError(throwable);
    }

    @Override
    public void onComplete() {
        collector.onComplete();
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return collector.getBody();
    }

    private void requestOneLater() {
        executor.schedule(() -> subscription.request(1), ThreadLocalRandom.current().nextInt(maxPauseMicros + 1),
                TimeUnit.MICROSECONDS);
    }
}
