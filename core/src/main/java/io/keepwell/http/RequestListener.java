package io.keepwell.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;

/**
 * Hears the steps of each request, as Go's {@code httptrace} and OkHttp's {@code EventListener}
 * do. Events carry their own durations, so a listener needs no per-request state. They are called
 * on the client's I/O threads (a failure or a cancel may be told on the thread that caused it), in
 * order for one request: implementations must be quick, must not block, and should not throw: one
 * that throws is logged and dropped (it hears nothing more from the client), and the request goes
 * on. Every method does nothing by default. A client with no listener set takes no timestamps and
 * allocates nothing for them.
 *
 * <p>For one call: {@code callStart}, {@code acquireStart}; when a new connection is opened for
 * it, {@code dnsStart}/{@code dnsEnd} (host names only), {@code connectStart} and
 * {@code connectEnd} or {@code connectFailed}, {@code tlsStart}/{@code tlsEnd} (https); then
 * {@code acquired}, {@code requestHeadWritten}, {@code requestBodyWritten},
 * {@code responseHeaders}, {@code responseBodyEnd}; and last {@code callEnd} or
 * {@code callFailed}. A retry on another connection ({@code retried}) repeats the steps from
 * {@code acquireStart}. A redirect is a call of its own, for the next request: each hop has its
 * {@code callStart} and its {@code callEnd} (with the 3xx). A call ends when its future has
 * completed and its response body is over, so for a streamed body ({@code ofInputStream},
 * {@code ofPublisher}) {@code callEnd} follows {@code responseBodyEnd} too, and a body that
 * fails after the future completed ends the call with {@code callFailed}.
 */
public interface RequestListener {

    /** A listener that ignores everything; the client skips it. */
    RequestListener NONE = new RequestListener() {
    };

    /** The call was handed to the client. */
    default void callStart(HttpRequest request) {
    }

    /** The request asked the pool for a connection. */
    default void acquireStart(HttpRequest request) {
    }

    /** Name resolution began for a connection being opened for this request. */
    default void dnsStart(HttpRequest request, String host) {
    }

    /**
     * Name resolution ended with these addresses, after {@code elapsed}; the connect goes to the
     * first. A failed resolution is not told here: the call fails in {@code CONNECT}.
     */
    default void dnsEnd(HttpRequest request, String host, List<InetAddress> addresses, Duration elapsed) {
    }

    /** A TCP connect to {@code address} began. */
    default void connectStart(HttpRequest request, InetSocketAddress address) {
    }

    /** The TCP connect to {@code address} succeeded after {@code elapsed}. */
    default void connectEnd(HttpRequest request, InetSocketAddress address, Duration elapsed) {
    }

    /** The TCP connect to {@code address} failed after {@code elapsed}. */
    default void connectFailed(HttpRequest request, InetSocketAddress address, Duration elapsed, Throwable cause) {
    }

    /** The TLS handshake began. */
    default void tlsStart(HttpRequest request) {
    }

    /** The TLS handshake completed with this protocol and cipher suite, after {@code elapsed}. */
    default void tlsEnd(HttpRequest request, String protocol, String cipherSuite, Duration elapsed) {
    }

    /**
     * The request got a connection after waiting {@code elapsed}: {@code reused} if the
     * connection had served before, {@code wasIdle} if it came from the idle pool (rather than
     * straight from a request releasing it), idle there for {@code idleTime} (zero otherwise).
     */
    default void acquired(HttpRequest request, boolean reused, boolean wasIdle, Duration idleTime, Duration elapsed) {
    }

    /** The request line and headers were written to the socket. */
    default void requestHeadWritten(HttpRequest request) {
    }

    /**
     * The request body's last byte was written: {@code bytes} of body as the publisher produced
     * them, or the file's length (0 for none). Not told for a body that waited for
     * {@code 100 Continue} and was dropped because the final response came first.
     */
    default void requestBodyWritten(HttpRequest request, long bytes) {
    }

    /**
     * The response's status line and headers arrived, {@code timeToFirstByte} after the request
     * started to be written.
     */
    default void responseHeaders(HttpRequest request, int statusCode, Duration timeToFirstByte) {
    }

    /**
     * The response body was read to its end (or the part of it the client chose to read, for a
     * body the caller discards): {@code bytes} as given to the body subscriber, so after
     * decompression when the client decompresses.
     */
    default void responseBodyEnd(HttpRequest request, long bytes) {
    }

    /** The request failed on a reused connection before any response byte and is sent again. */
    default void retried(HttpRequest request, Throwable cause) {
    }

    /** The call's future completed with a response of {@code statusCode}, {@code elapsed} after its start. */
    default void callEnd(HttpRequest request, int statusCode, Duration elapsed) {
    }

    /**
     * The call failed in {@code phase} (the step it was in when it failed; {@code REQUEST} for
     * its own total timeout or a cancel by the caller) after {@code elapsed}.
     */
    default void callFailed(HttpRequest request, HttpTimeoutException.Phase phase, Throwable cause, Duration elapsed) {
    }
}
