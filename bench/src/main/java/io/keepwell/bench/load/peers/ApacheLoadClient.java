package io.keepwell.bench.load.peers;

import io.keepwell.bench.load.Http2Options;
import io.keepwell.bench.load.LoadClient;
import io.keepwell.bench.load.LoadOptions;
import io.keepwell.bench.load.VersionWitness;
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
import org.apache.hc.core5.http2.config.H2Config;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Apache HttpClient 5's {@link CloseableHttpAsyncClient}: {@code execute} with a
 * request producer and a response consumer that reads every body chunk and drops it (the status is
 * the result), and a {@link FutureCallback} per lane. Pool: a
 * {@link PoolingAsyncClientConnectionManager} with {@code maxConnPerRoute} = {@code maxConnTotal} =
 * C (its defaults are 5 and 25); persistent connections are kept (no time-to-live, the default
 * keep-alive strategy honours the server's, nginx and the embedded server keep them). I/O reactor
 * threads = {@code --io-threads}; callbacks run on them. HTTP/1.1 is forced unless the run is HTTP/2.
 *
 * <p>Over HTTP/2: {@code FORCE_HTTP_2} (ALPN h2 over TLS, prior knowledge over cleartext) on the
 * same pooling manager with {@code setMessageMultiplexing(true)} (5.6: requests share a pooled
 * h2 connection instead of leasing it) and {@code maxConnPerRoute} = {@code maxConnTotal} = the
 * run's connections; {@link H2Config}'s {@code initialWindowSize} = the stream window (httpcore5
 * has no separate connection-window knob) and push off; TLS trusts only the run's certificate
 * (hostname verification on).
 */
public final class ApacheLoadClient implements LoadClient {

    private final CloseableHttpAsyncClient client;
    private final URI target;
    private final String method;
    private final byte[] body;
    private final VersionWitness versions = new VersionWitness();

    public ApacheLoadClient(LoadOptions options, URI target, byte[] body) {
        Http2Options h2 = options.http2();
        int connections = h2 == null ? options.concurrency() : h2.connections();
        PoolingAsyncClientConnectionManagerBuilder poolBuilder = PoolingAsyncClientConnectionManagerBuilder.create()
                .setMaxConnPerRoute(connections)
                .setMaxConnTotal(connections)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.ofSeconds(10))
                        .setTimeToLive(TimeValue.NEG_ONE_MILLISECOND) // no limit: keep them
                        .build());
        if (h2 != null) {
            poolBuilder.setMessageMultiplexing(true);
            if (h2.tls()) {
                poolBuilder.setTlsStrategy(ClientTlsStrategyBuilder.create().setSslContext(h2.trustContext()).build());
            }
        }
        PoolingAsyncClientConnectionManager pool = poolBuilder.build();
        var builder = HttpAsyncClients.custom();
        if (h2 != null) {
            builder.setH2Config(H2Config.custom()
                    .setInitialWindowSize(h2.streamWindow())
                    .setPushEnabled(false)
                    .build());
        }
        this.client = builder
                .setConnectionManager(pool)
                .setVersionPolicy(h2 == null ? HttpVersionPolicy.FORCE_HTTP_1 : HttpVersionPolicy.FORCE_HTTP_2)
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
    public String responseVersion() {
        return versions.get();
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
            client.execute(SimpleRequestProducer.create(request), new DiscardingResponseConsumer(versions), null, null, this);
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
        private final VersionWitness versions;
        private int status;

        DiscardingResponseConsumer(VersionWitness versions) {
            this.versions = versions;
        }

        @Override
        protected void start(HttpResponse response, ContentType contentType) {
            status = response.getCode();
            if (response.getVersion() != null) {
                versions.saw(VersionWitness.ofMajor(response.getVersion().getMajor()));
            }
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
