package io.keepwell.bench.load.peers;

import io.keepwell.bench.load.Http2Options;
import io.keepwell.bench.load.LoadClient;
import io.keepwell.bench.load.LoadOptions;
import io.keepwell.bench.load.VersionWitness;
import io.keepwell.bench.server.BenchCertificate;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * Eclipse Jetty 12's {@link HttpClient}: a new {@link Request} per exchange (Jetty's requests are
 * single-use) sent with a {@link Response.CompleteListener}; with no content listener Jetty reads
 * every body chunk and drops it, and the connection goes back to the pool at completion. Pool:
 * {@code maxConnectionsPerDestination} = C (Jetty's default is 64) and
 * {@code maxRequestsQueuedPerDestination} ≥ C; connections stay idle for 60 s
 * ({@code idleTimeout}), longer than any run's gaps. {@code --io-threads} sets the selector count;
 * the completion runs on Jetty's default {@link QueuedThreadPool}.
 *
 * <p>Over HTTP/2: {@link HttpClientTransportOverHTTP2} on an {@link HTTP2Client} (ALPN h2 over
 * TLS, prior knowledge over cleartext), {@code maxConnectionsPerDestination} = the run's
 * connections (Jetty's multiplexing pool puts as many streams on each as the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS allows), receive windows from {@code setInitialStreamRecvWindow}
 * and {@code setInitialSessionRecvWindow}, and a trust store holding only the run's certificate
 * (hostname verification on).
 */
public final class JettyLoadClient implements LoadClient {

    private final HttpClient client;
    private final URI target;
    private final String method;
    private final byte[] body;
    private final VersionWitness versions = new VersionWitness();

    public JettyLoadClient(LoadOptions options, URI target, byte[] body) throws Exception {
        ClientConnector connector = new ClientConnector();
        connector.setSelectors(options.ioThreads());
        Http2Options h2 = options.http2();
        if (h2 == null) {
            this.client = new HttpClient(new org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP(connector));
            client.setMaxConnectionsPerDestination(options.concurrency());
        } else {
            if (h2.tls()) {
                SslContextFactory.Client tls = new SslContextFactory.Client();
                tls.setTrustStore(BenchCertificate.trustStore(h2.requireTrust()));
                connector.setSslContextFactory(tls);
            }
            HTTP2Client http2 = new HTTP2Client(connector);
            http2.setInitialStreamRecvWindow(h2.streamWindow());
            http2.setInitialSessionRecvWindow(h2.connectionWindow());
            http2.setUseALPN(h2.tls());
            this.client = new HttpClient(new HttpClientTransportOverHTTP2(http2));
            client.setMaxConnectionsPerDestination(h2.connections());
        }
        client.setMaxRequestsQueuedPerDestination(Math.max(1024, options.concurrency()));
        client.setIdleTimeout(60_000);
        client.setFollowRedirects(false);
        client.start();
        this.target = target;
        this.method = options.method();
        this.body = body;
    }

    @Override
    public String name() {
        return "jetty";
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
        return new JettySender(callback);
    }

    private final class JettySender implements Sender, Response.CompleteListener {
        private final Callback callback;

        JettySender(Callback callback) {
            this.callback = callback;
        }

        @Override
        public void send() {
            Request request = client.newRequest(target).method(method).timeout(60, TimeUnit.SECONDS);
            if (body != null) {
                request.body(new BytesRequestContent(body));
            }
            request.send(this);
        }

        @Override
        public void onComplete(Result result) {
            if (result.isFailed()) {
                callback.completed(0, result.getFailure());
            } else {
                versions.saw(result.getResponse().getVersion() == org.eclipse.jetty.http.HttpVersion.HTTP_2
                        ? VersionWitness.HTTP_2 : VersionWitness.HTTP_1_1);
                callback.completed(result.getResponse().getStatus(), null);
            }
        }
    }

    @Override
    public void close() throws Exception {
        client.stop();
    }
}
