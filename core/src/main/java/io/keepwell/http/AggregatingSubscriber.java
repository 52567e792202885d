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
    private final long limit;
    private final long announcedLength;
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private Flow.Subscription subscription;
    private byte[] buffer = new byte[0];
    private int size;

    /**
     * @param limit           largest body accepted; a larger one fails with {@link BodyTooLargeException}
     * @param announcedLength the response's {@code Content-Length}, or -1
     */
    AggregatingSubscriber(Function<byte[], T> finisher, long limit, long announcedLength) {
        this.finisher = finisher;
        this.limit = Math.min(limit, Integer.MAX_VALUE - 8);
        this.announcedLength = announcedLength;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = Objects.requireNonNull(subscription);
        if (announcedLength > limit) {
            tooLarge(announcedLength);
            return;
        }
        if (announcedLength > 0) {
            buffer = new byte[(int) announcedLength];
        }
        subscription.request(Long.MAX_VALUE);
    }

    private void tooLarge(long seen) {
        buffer = null;
        subscription.cancel();
        result.completeExceptionally(new BodyTooLargeException(limit, seen));
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (buffer == null) {
            return; // already failed
        }
        for (ByteBuffer item : items) {
            int n = item.remaining();
            if (size + (long) n > limit) {
                tooLarge(size + (long) n);
                return;
            }
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
        if (buffer == null) {
            return;
        }
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
