package io.keepwell.bench.load.peers;

import io.keepwell.bench.load.Http2Options;
import io.keepwell.bench.load.LoadClient;
import io.keepwell.bench.load.LoadOptions;
import io.keepwell.bench.load.VersionWitness;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

/**
 * The JDK's {@link HttpClient}: {@code sendAsync} with {@code BodyHandlers.discarding()}, which
 * reads the whole body and drops it (the connection goes back to the pool). HTTP/1.1 is forced (the
 * default, HTTP/2, would send an h2c upgrade on cleartext). Pool: the JDK's pool has no per-host
 * limit unless {@code jdk.httpclient.connectionPoolSize} is set (0, unlimited, by default) and
 * keeps an idle connection for {@code jdk.httpclient.keepalive.timeout} (1200 s by default), so
 * all C connections stay open and are reused. Completions run on the client's default executor
 * (a cached thread pool), as an application that does not pass one gets; the selector is one
 * thread of its own, so {@code --io-threads} does not apply.
 *
 * <p>Over HTTP/2 ({@code --http2}; the JDK has no h2c prior knowledge) the version is HTTP_2 and
 * the TLS context trusts the run's certificate. The JDK keeps one pooled HTTP/2 connection per
 * origin and has no knob for more ({@code --connections} does not apply; when the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS is reached it opens connections it does not pool, which the
 * run's socket counts show). Its receive windows are system properties read at each connect, so
 * they are set here, before the first connection, unless already given on the command line:
 * {@code jdk.httpclient.windowsize} (stream) and {@code jdk.httpclient.connectionWindowSize}.
 */
public final class JdkLoadClient implements LoadClient {

    private final HttpClient client;
    private final HttpRequest request;
    private final HttpResponse.BodyHandler<Void> handler = HttpResponse.BodyHandlers.discarding();
    private final VersionWitness versions = new VersionWitness();

    public JdkLoadClient(LoadOptions options, URI target, byte[] body) {
        Http2Options h2 = options.http2();
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (h2 == null) {
            b.version(HttpClient.Version.HTTP_1_1);
        } else {
            if (!h2.tls()) {
                throw new IllegalArgumentException("the JDK client has no h2c prior knowledge");
            }
            setIfAbsent("jdk.httpclient.windowsize", h2.streamWindow());
            setIfAbsent("jdk.httpclient.connectionWindowSize", h2.connectionWindow());
            b.version(HttpClient.Version.HTTP_2).sslContext(h2.trustContext());
        }
        this.client = b.build();
        HttpRequest.BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body);
        this.request = HttpRequest.newBuilder(target).method(options.method(), publisher).build(); // immutable, reused
    }

    @Override
    public String name() {
        return "jdk";
    }

    @Override
    public String transport() {
        return "NIO";
    }

    private static void setIfAbsent(String property, int value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Integer.toString(value));
        }
    }

    @Override
    public String responseVersion() {
        return versions.get();
    }

    @Override
    public Sender sender(Callback callback) {
        return new JdkSender(callback);
    }

    private final class JdkSender implements Sender, BiConsumer<HttpResponse<Void>, Throwable> {
        private final Callback callback;

        JdkSender(Callback callback) {
            this.callback = callback;
        }

        @Override
        public void send() {
            client.sendAsync(request, handler).whenComplete(this);
        }

        @Override
        public void accept(HttpResponse<Void> response, Throwable error) {
            if (error != null) {
                callback.completed(0, error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
            } else {
                versions.saw(VersionWitness.of(response.version()));
                callback.completed(response.statusCode(), null);
            }
        }
    }

    @Override
    public void close() {
        // HttpClient is AutoCloseable from Java 21 on; on 17 it has no close, and its (daemon)
        // selector thread and connections go when it becomes unreachable or the JVM exits.
        if (client instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
