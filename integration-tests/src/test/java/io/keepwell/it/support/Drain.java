package io.keepwell.it.support;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/** Reads a streamed response body to its end, asking for everything at once. */
public final class Drain {

    private Drain() {
    }

    /** Completes when {@code body} completes, or exceptionally with its error. */
    public static CompletableFuture<Void> toEnd(Flow.Publisher<List<ByteBuffer>> body) {
        CompletableFuture<Void> ended = new CompletableFuture<>();
        body.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(List<ByteBuffer> item) {
            }

            @Override
            public void onError(Throwable throwable) {
                ended.completeExceptionally(throwable);
            }

            @Override
            public void onComplete() {
                ended.complete(null);
            }
        });
        return ended;
    }
}
