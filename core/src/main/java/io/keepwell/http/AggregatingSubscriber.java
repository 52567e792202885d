package io.keepwell.http;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Function;

/**
 * Collects the whole body into one array, then maps it to the body value. It holds exactly the
 * bytes that arrived (pieces of their own size, joined at the end): an announced length is only
 * checked against the limit, never allocated, since a server may announce far more than it sends.
 */
final class AggregatingSubscriber<T> implements HttpResponse.BodySubscriber<T> {

    private final Function<byte[], T> finisher;
    private final long limit;
    private final long announcedLength;
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private Flow.Subscription subscription;
    private List<byte[]> pieces = new ArrayList<>(); // null once failed or finished
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
        subscription.request(Long.MAX_VALUE);
    }

    private void tooLarge(long seen) {
        pieces = null;
        subscription.cancel();
        result.completeExceptionally(new BodyTooLargeException(limit, seen));
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (pieces == null) {
            return; // already failed
        }
        for (ByteBuffer item : items) {
            int n = item.remaining();
            if (size + (long) n > limit) {
                tooLarge(size + (long) n);
                return;
            }
            if (n > 0) {
                byte[] piece = new byte[n];
                item.get(piece);
                pieces.add(piece);
                size += n;
            }
        }
    }

    @Override
    public void onError(Throwable throwable) {
        pieces = null;
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        if (pieces == null) {
            return;
        }
        byte[] bytes = join(pieces, size);
        pieces = null;
        try {
            result.complete(finisher.apply(bytes));
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
    }

    private static byte[] join(List<byte[]> pieces, int size) {
        if (pieces.size() == 1) {
            return pieces.get(0);
        }
        byte[] bytes = new byte[size];
        int at = 0;
        for (byte[] piece : pieces) {
            System.arraycopy(piece, 0, bytes, at, piece.length);
            at += piece.length;
        }
        return bytes;
    }

    /** Bytes held now; for tests (it never exceeds what arrived). */
    int capacity() {
        return pieces == null ? 0 : size;
    }

    @Override
    public CompletionStage<T> getBody() {
        return result;
    }
}
