package io.keepwell.http;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Drops the body, draining at most {@link #budget()} bytes of it to keep the connection: a
 * Keepwell transport closes the connection instead of reading past the budget, and does not read
 * a body announced larger than it at all. The body value is fixed (null from
 * {@link KeepwellBodyHandlers#discarding(long)}). Any other transport drains it whole.
 *
 * @param <T> the type of the fixed body value
 */
public final class DiscardingSubscriber<T> implements HttpResponse.BodySubscriber<T> {

    private final CompletableFuture<T> result = new CompletableFuture<>();
    private final T value;
    private final long budget;

    DiscardingSubscriber(T value, long budget) {
        this.value = value;
        this.budget = budget;
    }

    /**
     * The most bytes worth draining to keep the connection.
     *
     * @return the budget in bytes, at least 0; 0 keeps the connection only for an empty body
     */
    public long budget() {
        return budget;
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
