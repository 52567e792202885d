package io.keepwell.http;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/** Drops the body and gives a fixed value instead (null for {@code discarding()}). */
final class DiscardingSubscriber<T> implements HttpResponse.BodySubscriber<T> {

    private final CompletableFuture<T> result = new CompletableFuture<>();
    private final T value;

    DiscardingSubscriber(T value) {
        this.value = value;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
    }

    @Override
    public void onError(Throwable throwable) {
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        result.complete(value);
    }

    @Override
    public CompletionStage<T> getBody() {
        return result;
    }
}
