package io.keepwell.bench.load;

import io.keepwell.netty.KeepwellHttpClient;

import java.net.http.HttpClient;

/**
 * Keepwell's HTTP/2 settings for a load run (issue #12's builder): HTTP/2 preferred, h2c with
 * prior knowledge for {@code http://}, the run's certificate trusted through a JDK
 * {@code SSLContext} (the client adds ALPN h2, http/1.1 itself) and the run's receive windows.
 * The connection cap ({@code maxConnectionsPerHost} = connections) is in the pool config.
 */
final class KeepwellHttp2 {

    private KeepwellHttp2() {
    }

    static KeepwellHttpClient.Builder configure(KeepwellHttpClient.Builder b, Http2Options h2) {
        b.version(HttpClient.Version.HTTP_2)
                .http2InitialWindowSize(h2.streamWindow())
                .http2ConnectionWindowSize(h2.connectionWindow());
        if (h2.tls()) {
            b.sslContext(h2.trustContext());
        } else {
            b.h2cPriorKnowledge(true);
        }
        return b;
    }
}
