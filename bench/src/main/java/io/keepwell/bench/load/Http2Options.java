package io.keepwell.bench.load;

import io.keepwell.bench.server.BenchCertificate;
import io.keepwell.bench.server.EmbeddedServer;

import javax.net.ssl.SSLContext;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * How a load run speaks HTTP/2 ({@code load --http2} or {@code --h2c}): the shape is
 * {@code connections} × {@code streams} (the run's concurrency is their product), every client
 * may open at most {@code connections} connections to the origin, the embedded server announces
 * SETTINGS_MAX_CONCURRENT_STREAMS = {@code streams}, and every client that has the knobs receives
 * with the same windows.
 *
 * @param mode             TLS with ALPN, or cleartext with prior knowledge
 * @param connections      connections per origin a client may open
 * @param streams          streams per connection (the server's SETTINGS_MAX_CONCURRENT_STREAMS)
 * @param streamWindow     the clients' stream receive window, bytes (SETTINGS_INITIAL_WINDOW_SIZE)
 * @param connectionWindow the clients' connection receive window, bytes
 * @param trust            the certificate clients trust for {@link Mode#TLS} (the embedded server's, or
 *                         {@code --trust FILE}'s); {@code null} until known
 */
public record Http2Options(Mode mode, int connections, int streams, int streamWindow, int connectionWindow,
                           X509Certificate trust) {

    /** How the connection becomes HTTP/2. */
    public enum Mode {
        /** {@code https://}, ALPN {@code h2}. */
        TLS("h2"),
        /** {@code http://}, the connection preface first (no Upgrade). */
        PRIOR_KNOWLEDGE("h2c");

        private final String label;

        Mode(String label) {
            this.label = label;
        }

        /** {@code h2} or {@code h2c}, as in ALPN and the JSON. */
        public String label() {
            return label;
        }
    }

    /** Keepwell's defaults (1 MiB, 16 MiB), which the embedded server uses too. */
    public static Http2Options of(Mode mode, int connections, int streams) {
        return new Http2Options(mode, connections, streams, EmbeddedServer.DEFAULT_STREAM_WINDOW,
                EmbeddedServer.DEFAULT_CONNECTION_WINDOW, null);
    }

    public Http2Options {
        Objects.requireNonNull(mode, "mode");
        if (connections < 1 || streams < 1) {
            throw new IllegalArgumentException("connections and streams must be at least 1: " + connections + " x " + streams);
        }
        if (streamWindow < 65_535 || connectionWindow < 65_535) {
            throw new IllegalArgumentException("HTTP/2 windows must be at least 65535 bytes: " + streamWindow + ", " + connectionWindow);
        }
    }

    public Http2Options withTrust(X509Certificate certificate) {
        return new Http2Options(mode, connections, streams, streamWindow, connectionWindow, certificate);
    }

    /** Requests in flight: {@code connections} × {@code streams}. */
    public int concurrency() {
        return Math.multiplyExact(connections, streams);
    }

    public boolean tls() {
        return mode == Mode.TLS;
    }

    /** A client TLS context trusting {@link #trust()} only; fails when it is not known. */
    public SSLContext trustContext() {
        return BenchCertificate.trustContext(requireTrust());
    }

    public X509Certificate requireTrust() {
        if (trust == null) {
            throw new IllegalStateException("no certificate to trust for h2 over TLS: pass --trust FILE (serve --cert-out FILE)");
        }
        return trust;
    }

    /** {@code 4x64}, as the tables print it. */
    public String shape() {
        return connections + "x" + streams;
    }
}
