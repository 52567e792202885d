package io.keepwell.http;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Function;

/**
 * Collects the whole body into one array, then maps it to the body value. The bytes are copied
 * once, from each buffer straight into that array (Keepwell lends it views of its receive
 * buffers, see {@link BorrowingBodySubscriber}); the array grows by doubling as bytes arrive, up to
 * the announced length, so it holds at most twice what arrived: an announced length is checked
 * against the limit and caps the growth, but is never allocated ahead, since a server may announce
 * far more than it sends. A body that arrived whole at its announced length needs no final copy.
 */
final class AggregatingSubscriber<T> implements BorrowingBodySubscriber<T> {

    private final Function<byte[], T> finisher;
    private final long limit;
    private final long announcedLength;
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private Flow.Subscription subscription;
    private byte[] bytes = EMPTY; // null once failed or finished
    private int size;

    private static final byte[] EMPTY = new byte[0];

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
        subscription.request(Long.MAX_VALUE);
    }

    private void tooLarge(long seen) {
        bytes = null;
        subscription.cancel();
        result.completeExceptionally(new BodyTooLargeException(limit, seen));
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (bytes == null) {
            return; // already failed
        }
        for (ByteBuffer item : items) {
            int n = item.remaining();
            if (size + (long) n > limit) {
                tooLarge(size + (long) n);
                return;
            }
            if (n > 0) {
                ensureRoom(size + n);
                item.get(bytes, size, n);
                size += n;
            }
        }
    }

    /** Room for {@code needed} bytes: at least double, at most the announced length (or the limit). */
    private void ensureRoom(int needed) {
        if (needed <= bytes.length) {
            return;
        }
        long cap = announcedLength >= needed ? announcedLength : limit;
        int capacity = (int) Math.min(cap, Math.max(needed, 2L * bytes.length));
        bytes = Arrays.copyOf(bytes, capacity);
    }

    @Override
    public void onError(Throwable throwable) {
        bytes = null;
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        if (bytes == null) {
            return;
        }
        byte[] body = size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
        bytes = null;
        try {
            result.complete(finisher.apply(body));
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
    }

    /** Bytes of room held now; for tests (never more than twice what arrived). */
    int capacity() {
        return bytes == null ? 0 : bytes.length;
    }

    /** Bytes arrived so far; for tests. */
    int size() {
        return size;
    }

    @Override
    public CompletionStage<T> getBody() {
        return result;
    }
}
