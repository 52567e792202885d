package io.keepwell.bench.load;

import java.net.http.HttpResponse;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads the whole body and keeps nothing, as wrk does: unlike {@code KeepwellBodyHandlers.discarding()},
 * which gives up on a large body and closes its connection, this keeps every connection reusable,
 * so a load run measures reuse at any response size. The body value is its length.
 */
final class ReadingSubscriber implements HttpResponse.BodySubscriber<Long> {

    static final HttpResponse.BodyHandler<Long> HANDLER = info -> new ReadingSubscriber();

    private final CompletableFuture<Long> result = new CompletableFuture<>();
    private long bytes;

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        for (int i = 0; i < items.size(); i++) {
            bytes += items.get(i).remaining();
        }
    }

    @Override
    public void onError(Throwable throwable) {
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        result.complete(bytes);
    }

    @Override
    public CompletionStage<Long> getBody() {
        return result;
    }
}
