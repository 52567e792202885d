package io.keepwell.bench.load;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.netty.KeepwellHttpClient;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

/**
 * Keepwell's {@link KeepwellHttpClient}: the request built once, the reading body handler shared,
 * the pool sized by {@link LoadOptions#poolConfig()} (maxIdlePerHost = max(C, 32) by default, so
 * all C connections stay pooled between requests). Over HTTP/2, {@code maxConnectionsPerHost} is
 * the run's connections and the builder is set up by {@link KeepwellHttp2}.
 */
final class KeepwellLoadClient extends KeepwellBackedLoadClient {

    private final HttpRequest request;
    // Reads every body, as wrk does; lent Keepwell's receive buffers unless copies are asked for, to measure them.
    private final HttpResponse.BodyHandler<Long> handler =
            Boolean.getBoolean("keepwell.bench.copyBodies") ? ReadingSubscriber.COPYING : ReadingSubscriber.HANDLER;

    private final java.util.concurrent.ExecutorService executor; // null: futures complete on the I/O thread
    private final VersionWitness versions = new VersionWitness();

    KeepwellLoadClient(LoadOptions options, URI target, java.util.concurrent.ExecutorService executor) {
        super((executor == null ? options.keepwellBuilder() : options.keepwellBuilder().executor(executor)).build());
        this.executor = executor;
        this.request = LoadGenerator.buildRequest(target, options.method(), options.bodySize());
    }

    @Override
    public String name() {
        return executor == null ? "keepwell" : "keepwell_executor";
    }

    @Override
    public String responseVersion() {
        return versions.get();
    }

    @Override
    public Sender sender(Callback callback) {
        return new KeepwellSender(callback);
    }

    /** The lane's completion: one object per lane, so a request allocates nothing of the bench's. */
    private final class KeepwellSender implements Sender, BiConsumer<HttpResponse<Long>, Throwable> {
        private final Callback callback;

        KeepwellSender(Callback callback) {
            this.callback = callback;
        }

        @Override
        public void send() {
            CompletableFuture<HttpResponse<Long>> f = client.sendAsync(request, handler);
            f.whenComplete(this);
        }

        @Override
        public void accept(HttpResponse<Long> response, Throwable error) {
            if (error != null) {
                callback.completed(0, error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
            } else {
                versions.saw(VersionWitness.of(response.version()));
                callback.completed(response.statusCode(), null);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        super.close();
        if (executor != null) {
            executor.shutdown();
        }
    }
}
