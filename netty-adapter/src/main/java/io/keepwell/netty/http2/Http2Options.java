package io.keepwell.netty.http2;

import java.time.Duration;

/**
 * How a client speaks HTTP/2, from its builder.
 *
 * @param offered              whether https connections offer {@code h2} through ALPN
 * @param priorKnowledge       whether http connections speak h2c with prior knowledge
 * @param pingInterval         read-idle time on a connection before a PING
 * @param pingTimeout          how long a PING waits for its ack before the connection is taken as dead
 * @param initialWindowSize    the stream receive window sent in SETTINGS
 * @param connectionWindowSize the connection receive window
 * @param drainTimeout         how long a retired connection lets its open streams finish before it closes
 * @param settingsTimeout      how long a new connection waits for the server's first SETTINGS
 */
public record Http2Options(boolean offered, boolean priorKnowledge, Duration pingInterval, Duration pingTimeout,
                           int initialWindowSize, int connectionWindowSize, Duration drainTimeout,
                           Duration settingsTimeout) {

    /** The window every HTTP/2 connection starts with (RFC 9113 section 6.9.2). */
    public static final int DEFAULT_WINDOW = 65_535;
}
