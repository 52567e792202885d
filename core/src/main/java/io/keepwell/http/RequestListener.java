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
 * {@code connectEnd} or {@code connectFailed} (once per address tried: a name's addresses are raced
 * as RFC 8305 says, so several connects may be in flight at once, each with its own end; none for
 * a Unix domain socket), {@code tlsStart}/{@code tlsEnd} (https); then
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

    /**
     * The call was handed to the client.
     *
     * @param request the request as the caller built it
     */
    default void callStart(HttpRequest request) {
    }

    /**
     * The request asked the pool for a connection.
     *
     * @param request the request
     */
    default void acquireStart(HttpRequest request) {
    }

    /**
     * Name resolution began for a connection being opened for this request.
     *
     * @param request the request the connection is opened for
     * @param host    the host name being resolved, as in the request's URI
     */
    default void dnsStart(HttpRequest request, String host) {
    }

    /**
     * Name resolution ended with these addresses, after {@code elapsed}; they are tried in turn,
     * the families alternating (Happy Eyeballs), until one connects. A failed resolution is not
     * told here: the call fails, in {@code DNS} if it ran out of time. Through a proxy, the name
     * resolved is the proxy's.
     *
     * @param request   the request the connection is opened for
     * @param host      the host name resolved
     * @param addresses the addresses found
     * @param elapsed   time since the matching {@code dnsStart}
     */
    default void dnsEnd(HttpRequest request, String host, List<InetAddress> addresses, Duration elapsed) {
    }

    /**
     * A TCP connect to {@code address} began: the origin's, or the proxy's.
     *
     * @param request the request the connection is opened for
     * @param address the resolved address and port being connected to
     */
    default void connectStart(HttpRequest request, InetSocketAddress address) {
    }

    /**
     * The connect to {@code address} succeeded after {@code elapsed}: it is the address that serves
     * the connection. Through a {@code CONNECT} or SOCKS5 proxy, once the tunnel stands.
     *
     * @param request the request the connection is opened for
     * @param address the address connected to
     * @param elapsed time since the matching {@code connectStart}
     */
    default void connectEnd(HttpRequest request, InetSocketAddress address, Duration elapsed) {
    }

    /**
     * The connect to {@code address} failed after {@code elapsed}, or was abandoned because another
     * address of the same name connected first (a {@link java.net.ConnectException} whose message
     * starts with {@code "abandoned"}).
     *
     * @param request the request the connection was to be opened for
     * @param address the address that could not be connected to
     * @param elapsed time since the matching {@code connectStart}
     * @param cause   why it failed, such as an {@link HttpConnectTimeoutException} or a
     *                {@link java.net.ConnectException}
     */
    default void connectFailed(HttpRequest request, InetSocketAddress address, Duration elapsed, Throwable cause) {
    }

    /**
     * The TLS handshake began, on a connection opened for an https request.
     *
     * @param request the request the connection is opened for
     */
    default void tlsStart(HttpRequest request) {
    }

    /**
     * The TLS handshake completed with this protocol and cipher suite, after {@code elapsed}.
     *
     * @param request     the request the connection is opened for
     * @param protocol    the negotiated protocol, such as {@code "TLSv1.3"}
     * @param cipherSuite the negotiated cipher suite, such as {@code "TLS_AES_128_GCM_SHA256"}
     * @param elapsed     time since the matching {@code tlsStart}
     */
    default void tlsEnd(HttpRequest request, String protocol, String cipherSuite, Duration elapsed) {
    }

    /**
     * The request got a connection after waiting {@code elapsed}: {@code reused} if the
     * connection had served before, {@code wasIdle} if it came from the idle pool (rather than
     * straight from a request releasing it), idle there for {@code idleTime} (zero otherwise).
     *
     * @param request  the request
     * @param reused   whether the connection had served an earlier request
     * @param wasIdle  whether it was taken from the idle pool
     * @param idleTime how long it sat idle; {@link Duration#ZERO} unless {@code wasIdle}
     * @param elapsed  time since {@code acquireStart}, connecting included
     */
    default void acquired(HttpRequest request, boolean reused, boolean wasIdle, Duration idleTime, Duration elapsed) {
    }

    /**
     * The request line and headers were written to the socket.
     *
     * @param request the request
     */
    default void requestHeadWritten(HttpRequest request) {
    }

    /**
     * The request body's last byte was written: {@code bytes} of body as the publisher produced
     * them, or the file's length (0 for none). Not told for a body that waited for
     * {@code 100 Continue} and was dropped because the final response came first.
     *
     * @param request the request
     * @param bytes   body bytes written; 0 for no body
     */
    default void requestBodyWritten(HttpRequest request, long bytes) {
    }

    /**
     * The response's status line and headers arrived, {@code timeToFirstByte} after the request
     * started to be written.
     *
     * @param request         the request
     * @param statusCode      the response's status code, such as 200
     * @param timeToFirstByte time from the start of writing the request to the headers' arrival
     */
    default void responseHeaders(HttpRequest request, int statusCode, Duration timeToFirstByte) {
    }

    /**
     * The response body was read to its end (or the part of it the client chose to read, for a
     * body the caller discards): {@code bytes} as given to the body subscriber, so after
     * decompression when the client decompresses.
     *
     * @param request the request
     * @param bytes   body bytes as given to the subscriber (after decompression)
     */
    default void responseBodyEnd(HttpRequest request, long bytes) {
    }

    /**
     * The request failed on a reused connection before any response byte and is sent again.
     *
     * @param request the request being sent again
     * @param cause   the failure of the previous attempt, typically a
     *                {@link PrematureCloseException}
     */
    default void retried(HttpRequest request, Throwable cause) {
    }

    /**
     * The call's future completed with a response of {@code statusCode}, {@code elapsed} after its
     * start.
     *
     * @param request    the request
     * @param statusCode the response's status code
     * @param elapsed    time since {@code callStart}
     */
    default void callEnd(HttpRequest request, int statusCode, Duration elapsed) {
    }

    /**
     * The call failed in {@code phase} (the step it was in when it failed; {@code REQUEST} for
     * its own total timeout or a cancel by the caller) after {@code elapsed}.
     *
     * @param request the request
     * @param phase   the step the call was in when it failed
     * @param cause   the exception the call's future completed with
     * @param elapsed time since {@code callStart}
     */
    default void callFailed(HttpRequest request, HttpTimeoutException.Phase phase, Throwable cause, Duration elapsed) {
    }
}
