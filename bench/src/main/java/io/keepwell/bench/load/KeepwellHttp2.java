package io.keepwell.bench.load;

import io.keepwell.netty.KeepwellHttpClient;

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
        // Placeholder until issue #12's builder (h2cPriorKnowledge, http2InitialWindowSize,
        // http2ConnectionWindowSize) is merged from main: fail loudly rather than measure HTTP/1.1.
        throw new UnsupportedOperationException("Keepwell's HTTP/2 builder has not been merged into this branch yet");
    }
}
