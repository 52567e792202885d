package io.keepwell.bench.load.peers;

import io.keepwell.bench.load.LoadClient;
import io.keepwell.bench.load.LoadOptions;
import io.keepwell.netty.Transport;
import io.netty.channel.epoll.Epoll;
import io.netty.handler.codec.http.HttpHeaders;
import org.asynchttpclient.AsyncHandler;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.DefaultAsyncHttpClient;
import org.asynchttpclient.DefaultAsyncHttpClientConfig;
import org.asynchttpclient.HttpResponseBodyPart;
import org.asynchttpclient.HttpResponseStatus;
import org.asynchttpclient.Request;
import org.asynchttpclient.RequestBuilder;

import java.net.URI;
import java.time.Duration;

/**
 * AsyncHttpClient 3's {@link DefaultAsyncHttpClient} (built on Netty 4.2, sharing the bench's
 * Netty): {@code executeRequest} with an {@link AsyncHandler} per lane that keeps the status and
 * drops each body part (AHC releases the buffers itself), completing at {@code onCompleted}.
 * The request is built once (AHC's requests are immutable). Pool: keep-alive on (the default),
 * {@code maxConnectionsPerHost} = {@code maxConnections} = C, idle connections kept 60 s, no
 * connection TTL. {@code --io-threads} sets its event loops; {@code --transport AUTO|EPOLL} turns on
 * its native (epoll) transport when available, as Keepwell's AUTO does.
 */
public final class AhcLoadClient implements LoadClient {

    private final AsyncHttpClient client;
    private final Request request;
    private final boolean nativeTransport;

    public AhcLoadClient(LoadOptions options, URI target, byte[] body) {
        this.nativeTransport = options.transport() != Transport.NIO && Epoll.isAvailable();
        DefaultAsyncHttpClientConfig config = new DefaultAsyncHttpClientConfig.Builder()
                .setKeepAlive(true)
                .setMaxConnectionsPerHost(options.concurrency())
                .setMaxConnections(options.concurrency())
                .setPooledConnectionIdleTimeout(Duration.ofSeconds(60))
                .setRequestTimeout(Duration.ofSeconds(60))
                .setIoThreadsCount(options.ioThreads())
                .setUseNativeTransport(nativeTransport)
                .setFollowRedirect(false)
                .setMaxRequestRetry(0)
                .build();
        this.client = new DefaultAsyncHttpClient(config);
        RequestBuilder b = new RequestBuilder(options.method()).setUrl(target.toString());
        if (body != null) {
            b.setBody(body);
        }
        this.request = b.build();
    }

    @Override
    public String name() {
        return "ahc";
    }

    @Override
    public String transport() {
        return nativeTransport ? "EPOLL" : "NIO";
    }

    @Override
    public Sender sender(Callback callback) {
        return new AhcSender(callback);
    }

    /** One exchange in flight per lane, so the handler (and its status field) is the lane's. */
    private final class AhcSender implements Sender, AsyncHandler<Void> {
        private final Callback callback;
        private int status;

        AhcSender(Callback callback) {
            this.callback = callback;
        }

        @Override
        public void send() {
            status = 0;
            client.executeRequest(request, this);
        }

        @Override
        public State onStatusReceived(HttpResponseStatus responseStatus) {
            status = responseStatus.getStatusCode();
            return State.CONTINUE;
        }

        @Override
        public State onHeadersReceived(HttpHeaders headers) {
            return State.CONTINUE;
        }

        @Override
        public State onBodyPartReceived(HttpResponseBodyPart bodyPart) {
            return State.CONTINUE; // read and dropped
        }

        @Override
        public void onThrowable(Throwable t) {
            callback.completed(0, t);
        }

        @Override
        public Void onCompleted() {
            callback.completed(status, null);
            return null;
        }
    }

    @Override
    public void close() throws Exception {
        client.close();
    }
}
