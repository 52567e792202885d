package io.keepwell.it.conformance;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/** A response-body subscriber that requests everything and gathers the bytes. */
final class BodyCollector implements Flow.Subscriber<List<ByteBuffer>> {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    /** The bytes, once the body completed; the error, if it failed. */
    final CompletableFuture<byte[]> done = new CompletableFuture<>();

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        for (ByteBuffer buffer : buffers) {
            byte[] chunk = new byte[buffer.remaining()];
            buffer.get(chunk);
            bytes.writeBytes(chunk);
        }
    }

    @Override
    public void onError(Throwable error) {
        done.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        done.complete(bytes.toByteArray());
    }
}
