package io.keepwell.it.support;

import io.keepwell.netty.KeepwellHttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Shared fixtures of the HTTP/2 real-server tests. */
public final class Http2Servers {

    /** How long {@link #send} waits for a response. */
    public static final Duration RESPONSE_WAIT = Duration.ofSeconds(20);

    private Http2Servers() {}

    /**
     * A certificate for {@code localhost} and {@code 127.0.0.1} (the servers' {@code uri()} use
     * {@code 127.0.0.1}); keytool takes about a second, so make one per test class.
     */
    public static TestCertificates loopbackCertificates() {
        try {
            return TestCertificates.generate("dns:localhost,ip:127.0.0.1");
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the test certificate", e);
        }
    }

    /**
     * A builder for a one-thread client that trusts {@code certificates} through a JDK
     * {@code SSLContext} (so the client offers ALPN {@code h2, http/1.1} itself) and is otherwise
     * at its defaults: HTTP/2 preferred.
     */
    public static KeepwellHttpClient.Builder trusting(TestCertificates certificates) {
        try {
            return KeepwellHttpClient.newBuilder().eventLoopThreads(1).sslContext(certificates.clientContext());
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the trusting SSLContext", e);
        }
    }

    /**
     * Sends {@code request} and waits up to {@link #RESPONSE_WAIT} for the response; a call still
     * unfinished then fails the test with the client's pool and stream counts.
     */
    public static <T> HttpResponse<T> send(KeepwellHttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws Exception {
        CompletableFuture<HttpResponse<T>> response = client.sendAsync(request, handler);
        try {
            return response.get(RESPONSE_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no response to " + request + " within " + RESPONSE_WAIT + "; pool " + client.poolStats()
                    + ", open streams " + client.openStreams() + ", open channels " + client.openChannels(), e);
        }
    }
}
