package io.keepwell.http;

import java.net.ProtocolException;

/**
 * The server's response broke HTTP/1.1: a malformed status line or header, bad framing, a response
 * nobody asked for. The connection it arrived on is closed, never pooled. A
 * {@link ProtocolException}, as the JDK client reports a malformed response.
 */
public class HttpProtocolException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    public HttpProtocolException(String message) {
        super(message);
    }

    public HttpProtocolException(String message, Throwable cause) {
        super(message);
        initCause(cause);
    }
}
