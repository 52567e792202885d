package io.keepwell.it.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/** A subscriber of lines that requests them all and gathers them. */
final class LineCollector implements Flow.Subscriber<String> {

    private final List<String> lines = new ArrayList<>();
    /** The lines, once the body completed. */
    final CompletableFuture<List<String>> done = new CompletableFuture<>();

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
        lines.add(line);
    }

    @Override
    public void onError(Throwable error) {
        done.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        done.complete(List.copyOf(lines));
    }
}
