package io.keepwell.keepalive;

/**
 * What the transport observed about one finished exchange: the only input of the keep-alive
 * decision. Recorded by the reader and writer handlers; never derived from exception messages.
 *
 * @param requestFullyWritten     the whole request, body included, reached the socket
 * @param responseComplete        the response body was read to its framed end
 * @param requestAskedClose       the request carried {@code Connection: close}
 * @param responseAskedClose      the response carried {@code Connection: close}
 * @param http10                  the response was HTTP/1.0
 * @param http10KeepAlive         an HTTP/1.0 response carried {@code Connection: keep-alive}
 * @param closeDelimited          the body had no length and ended with the connection
 * @param framingError            the response framing was not sane (conflicting lengths, a body where none is allowed)
 * @param earlyResponse           the response arrived before the request was fully written
 * @param serverRequestsLeft      the server's {@code Keep-Alive: max} for this connection, or -1 if none was sent
 */
public record ExchangeFacts(
        boolean requestFullyWritten,
        boolean responseComplete,
        boolean requestAskedClose,
        boolean responseAskedClose,
        boolean http10,
        boolean http10KeepAlive,
        boolean closeDelimited,
        boolean framingError,
        boolean earlyResponse,
        int serverRequestsLeft) {
}
