package io.keepwell.bench.load.peers;

import io.keepwell.bench.load.LoadClient;
import io.keepwell.bench.load.LoadOptions;
import org.apache.hc.client5.http.async.methods.AbstractBinResponseConsumer;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Apache HttpClient 5's {@link CloseableHttpAsyncClient}, HTTP/1.1 only: {@code execute} with a
 * request producer and a response consumer that reads every body chunk and drops it (the status is
 * the result), and a {@link FutureCallback} per lane. Pool: a
 * {@link PoolingAsyncClientConnectionManager} with {@code maxConnPerRoute} = {@code maxConnTotal} =
 * C (its defaults are 5 and 25); persistent connections are kept (no time-to-live, the default
 * keep-alive strategy honours the server's, nginx and the embedded server keep them). I/O reactor
 * threads = {@code --io-threads}; callbacks run on them.
 */
public final class ApacheLoadClient implements LoadClient {

    private final CloseableHttpAsyncClient client;
    private final URI target;
    private final String method;
    private final byte[] body;

    public ApacheLoadClient(LoadOptions options, URI target, byte[] body) {
        PoolingAsyncClientConnectionManager pool = PoolingAsyncClientConnectionManagerBuilder.create()
                .setMaxConnPerRoute(options.concurrency())
                .setMaxConnTotal(options.concurrency())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.ofSeconds(10))
                        .setTimeToLive(TimeValue.NEG_ONE_MILLISECOND) // no limit: keep them
                        .build())
                .build();
        this.client = HttpAsyncClients.custom()
                .setConnectionManager(pool)
                .setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_1)
                .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(options.ioThreads()).build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .build();
        client.start();
        this.target = target;
        this.method = options.method();
        this.body = body;
    }

    @Override
    public String name() {
        return "apache";
    }

    @Override
    public String transport() {
        return "NIO";
    }

    @Override
    public Sender sender(Callback callback) {
        return new ApacheSender(callback);
    }

    private final class ApacheSender implements Sender, FutureCallback<Integer> {
        private final Callback callback;

        ApacheSender(Callback callback) {
            this.callback = callback;
        }

        @Override
        public void send() {
            // Producers and consumers hold per-exchange state, so they are new each time.
            SimpleRequestBuilder b = SimpleRequestBuilder.create(method).setUri(target);
            if (body != null) {
                b.setBody(body, ContentType.APPLICATION_OCTET_STREAM);
            }
            SimpleHttpRequest request = b.build();
            client.execute(SimpleRequestProducer.create(request), new DiscardingResponseConsumer(), null, null, this);
        }

        @Override
        public void completed(Integer status) {
            callback.completed(status, null);
        }

        @Override
        public void failed(Exception ex) {
            callback.completed(0, ex);
        }

        @Override
        public void cancelled() {
            callback.completed(0, new java.util.concurrent.CancellationException());
        }
    }

    /** Reads the whole body and keeps nothing; the result is the status code. */
    private static final class DiscardingResponseConsumer extends AbstractBinResponseConsumer<Integer> {
        private int status;

        @Override
        protected void start(HttpResponse response, ContentType contentType) {
            status = response.getCode();
        }

        @Override
        protected int capacityIncrement() {
            return Integer.MAX_VALUE;
        }

        @Override
        protected void data(ByteBuffer src, boolean endOfStream) {
            src.position(src.limit());
        }

        @Override
        protected Integer buildResult() {
            return status;
        }

        @Override
        public void releaseResources() {
        }
    }

    @Override
    public void close() throws Exception {
        client.close(CloseMode.GRACEFUL);
        client.awaitShutdown(TimeValue.of(10, TimeUnit.SECONDS));
    }
}
