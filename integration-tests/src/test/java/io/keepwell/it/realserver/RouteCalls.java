package io.keepwell.it.realserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepwell.http.ProxyException;
import io.keepwell.it.support.ConnectEvents;
import io.keepwell.it.support.ProxyUser;
import io.keepwell.it.support.NoClientDns;
import io.keepwell.it.support.TestCertificates;
import io.keepwell.netty.KeepwellHttpClient;
import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Calls and checks the proxy and socket tests share. */
final class RouteCalls {

    static final Duration WAIT = Duration.ofSeconds(10);

    private RouteCalls() {}

    /** Self-signed certificates for {@code san} (keytool syntax), made once per test class. */
    static TestCertificates certificates(String san) {
        try {
            return TestCertificates.generate(san);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A one-thread client through {@code proxy}: names resolved only by the silent name server of {@code noDns},
     * {@code tls} trusted for https, connect events to {@code events}, and proxy credentials from
     * {@code authenticator} unless it is null.
     */
    static KeepwellHttpClient.Builder proxied(ProxySelector proxy, Authenticator authenticator, NoClientDns noDns,
                                              TestCertificates tls, ConnectEvents events) throws Exception {
        KeepwellHttpClient.Builder builder = KeepwellHttpClient.newBuilder()
                .eventLoopThreads(1)
                .connectTimeout(Duration.ofSeconds(3))
                .resolver(List.of(noDns.nameServer()))
                .proxy(proxy)
                .sslContext(tls.clientContext())
                .requestListener(events);
        if (authenticator != null) {
            builder.authenticator(authenticator);
        }
        return builder;
    }

    /** A GET of {@code uri} as a string, waited for at most {@link #WAIT}. */
    static HttpResponse<String> send(KeepwellHttpClient client, String uri) throws Exception {
        return client.sendAsync(HttpRequest.newBuilder(URI.create(uri)).GET().build(), HttpResponse.BodyHandlers.ofString())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** The failure of a GET of {@code uri}, which must fail. */
    static ExecutionException failure(KeepwellHttpClient client, String uri) {
        return assertThrows(ExecutionException.class, () -> send(client, uri));
    }

    /**
     * The exception's proxy is {@code expected}: same type, host and port (the client may give the
     * address unresolved, as a route it rebuilt, where the selector gave it resolved).
     */
    static void assertNamesProxy(Proxy expected, ProxyException e) {
        Proxy actual = e.proxy();
        InetSocketAddress want = (InetSocketAddress) expected.address();
        InetSocketAddress got = (InetSocketAddress) actual.address();
        assertEquals(List.of(expected.type(), want.getHostString(), want.getPort()),
                List.of(actual.type(), got.getHostString(), got.getPort()), "the proxy of " + e);
    }

    /** The authenticator was asked, and only ever for a proxy's credentials. */
    static void assertAskedAsProxy(ProxyUser.RecordingAuthenticator authenticator) {
        assertFalse(authenticator.asks().isEmpty(), "the authenticator was asked");
        assertTrue(authenticator.asks().stream().allMatch(a -> a.type() == Authenticator.RequestorType.PROXY),
                authenticator.asks().toString());
    }
}
