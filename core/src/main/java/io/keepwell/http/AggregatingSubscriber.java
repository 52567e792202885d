package io.keepwell.http;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Function;

/** Collects the whole body into one array, then maps it to the body value. */
final class AggregatingSubscriber<T> implements HttpResponse.BodySubscriber<T> {

    private final Function<byte[], T> finisher;
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private byte[] buffer = new byte[0];
    private int size;

    AggregatingSubscriber(Function<byte[], T> finisher) {
        this.finisher = finisher;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        Objects.requireNonNull(subscription).request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        for (ByteBuffer item : items) {
            int n = item.remaining();
            if (size + n > buffer.length) {
                buffer = java.util.Arrays.copyOf(buffer, Math.max(size + n, buffer.length * 2));
            }
            item.get(buffer, size, n);
            size += n;
        }
    }

    @Override
    public void onError(Throwable throwable) {
        buffer = null;
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        byte[] bytes = size == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, size);
        buffer = null;
        try {
            result.complete(finisher.apply(bytes));
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
    }

    @Override
    public CompletionStage<T> getBody() {
        return result;
    }
}
