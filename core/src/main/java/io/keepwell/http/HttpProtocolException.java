package io.keepwell.http;

import java.net.ProtocolException;

/**
 * The server's response broke HTTP/1.1: a malformed status line or header, bad framing, a response
 * nobody asked for. The connection it arrived on is closed, never pooled. A
 * {@link ProtocolException}, as the JDK client reports a malformed response.
 */
public class HttpProtocolException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    /**
     * A protocol violation with no underlying cause.
     *
     * @param message what the server got wrong
     */
    public HttpProtocolException(String message) {
        super(message);
    }

    /**
     * A protocol violation found by a decoder or parser that threw {@code cause}.
     *
     * @param message what the server got wrong
     * @param cause   the decoder's failure; may be {@code null}
     */
    public HttpProtocolException(String message, Throwable cause) {
        super(message);
        initCause(cause);
    }
}
