package io.keepwell.http;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/** Reads the body to its end and keeps nothing. */
final class DiscardingSubscriber implements HttpResponse.BodySubscriber<Void> {

    private final CompletableFuture<Void> result = new CompletableFuture<>();

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
        result.complete(null);
    }

    @Override
    public CompletionStage<Void> getBody() {
        return result;
    }
}
