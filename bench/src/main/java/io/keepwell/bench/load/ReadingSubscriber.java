package io.keepwell.bench.load;

import io.keepwell.http.BorrowingBodySubscriber;

import java.net.http.HttpResponse;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads the whole body and keeps nothing, as wrk does: unlike {@code KeepwellBodyHandlers.discarding()},
 * which gives up on a large body and closes its connection, this keeps every connection reusable,
 * so a load run measures reuse at any response size. The body value is its length. It keeps no
 * buffer past {@code onNext}, so it says so ({@link BorrowingBodySubscriber}): Keepwell lends it
 * its receive buffers, as AsyncHttpClient and Reactor Netty hand theirs to their callers.
 * {@link #COPYING} is the same subscriber without saying so, which Keepwell must give copies
 * ({@code -Dkeepwell.bench.copyBodies=true} on a {@code load} run).
 */
class ReadingSubscriber implements HttpResponse.BodySubscriber<Long> {

    static final HttpResponse.BodyHandler<Long> HANDLER = info -> new Borrowing();

    /** As {@link #HANDLER}, as a plain JDK subscriber: every chunk reaches it as a copy. */
    static final HttpResponse.BodyHandler<Long> COPYING = info -> new ReadingSubscriber();

    private static final class Borrowing extends ReadingSubscriber implements BorrowingBodySubscriber<Long> {
    }

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
