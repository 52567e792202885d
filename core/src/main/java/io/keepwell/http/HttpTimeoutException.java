package io.keepwell.http;

import java.time.Duration;

/**
 * A limit on time ran out. {@link #phase()} says which limit, {@link #limit()} its value. The
 * connection the exchange was on, if any, is closed and never pooled. A connect timeout is an
 * {@link HttpConnectTimeoutException} instead, as in the JDK; both are {@link KeepwellTimeout}s.
 */
public class HttpTimeoutException extends java.net.http.HttpTimeoutException implements KeepwellTimeout {
    private static final long serialVersionUID = 1L;

    /** Which limit ran out. */
    public enum Phase {
        /** Waiting for a pooled connection ({@code acquireTimeout}). */
        ACQUIRE,
        /**
         * Resolving the host name of a connection being opened (the origin's, or the proxy's). It
         * shares {@code connectTimeout} with {@link #CONNECT}: one limit bounds the lookup and the
         * TCP connects after it.
         */
        DNS,
        /**
         * Establishing the connection ({@code connectTimeout}): the TCP connects to the resolved
         * addresses and, through a proxy, its tunnel or SOCKS handshake.
         */
        CONNECT,
        /** The TLS handshake ({@code handshakeTimeout}). */
        HANDSHAKE,
        /**
         * A gap in writing the request: no byte of it reached the socket for {@code writeTimeout}
         * (a server that stopped reading, a body publisher that stopped emitting).
         */
        WRITE,
        /** From the request's last byte to the response's headers ({@code responseHeaderTimeout}). */
        RESPONSE_HEADERS,
        /** A gap between two reads of the response body ({@code readTimeout}). */
        READ,
        /** The whole exchange ({@code HttpRequest.timeout()}). */
        REQUEST,
        /** The caller's body subscriber asked for nothing while data waited ({@code abandonedBodyTimeout}). */
        BODY_ABANDONED,
        /**
         * An HTTP/2 connection's PING went unanswered ({@code http2PingTimeout}): the connection
         * was taken as dead and closed, failing its streams.
         */
        PING
    }

    /** Which limit ran out. */
    private final Phase phase;
    /** The value of the limit that ran out. */
    private final Duration limit;

    /**
     * A timeout in {@code phase}; the message says which limit, its value in milliseconds, and
     * {@code detail}.
     *
     * @param phase  which limit ran out; not {@code null}
     * @param limit  the limit's value; not {@code null}
     * @param detail more about the exchange, appended to the message; may be {@code null}
     */
    public HttpTimeoutException(Phase phase, Duration limit, String detail) {
        super(message(phase, limit, detail));
        this.phase = phase;
        this.limit = limit;
    }

    static String message(Phase phase, Duration limit, String detail) {
        return describe(phase) + " timed out after " + limit.toMillis() + " ms" + (detail == null ? "" : ": " + detail);
    }

    private static String describe(Phase phase) {
        return switch (phase) {
            case ACQUIRE -> "waiting for a connection";
            case DNS -> "resolving the host name";
            case CONNECT -> "connecting";
            case HANDSHAKE -> "the TLS handshake";
            case WRITE -> "writing the request";
            case RESPONSE_HEADERS -> "waiting for the response headers";
            case READ -> "reading the response body";
            case REQUEST -> "the request";
            case BODY_ABANDONED -> "waiting for the caller to consume the response body";
            case PING -> "waiting for the answer to a PING on the HTTP/2 connection";
        };
    }

    @Override
    public Phase phase() {
        return phase;
    }

    @Override
    public Duration limit() {
        return limit;
    }
}
