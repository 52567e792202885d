package io.keepwell.keepalive;

/** Whether a connection may serve another request after an exchange, and if not, why. */
public enum KeepAliveVerdict {
    /** The connection may be offered to the pool. */
    REUSE,
    /** Not every request byte was written. */
    REQUEST_INCOMPLETE,
    /** The response body was not read to its end. */
    RESPONSE_INCOMPLETE,
    /** The request said {@code Connection: close}. */
    REQUEST_ASKED_CLOSE,
    /** The response said {@code Connection: close}. */
    RESPONSE_ASKED_CLOSE,
    /** An HTTP/1.0 response without {@code keep-alive}. */
    HTTP10_WITHOUT_KEEP_ALIVE,
    /** The body ended with the connection. */
    CLOSE_DELIMITED_BODY,
    /** The response framing was not sane. */
    BAD_FRAMING,
    /** The server answered before the request was fully written. */
    EARLY_RESPONSE,
    /** The server's {@code Keep-Alive: max} said it accepts no further request. */
    SERVER_MAX_REACHED;

    public boolean reusable() {
        return this == REUSE;
    }
}
