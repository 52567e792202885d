package io.keepwell.http;

import java.io.IOException;

/**
 * The connection closed before the exchange finished. The fields tell a caller (and the retry
 * policy) what had happened by then; never parse the message.
 */
public class PrematureCloseException extends IOException {
    private static final long serialVersionUID = 1L;

    /** How far the exchange had got when the connection closed. */
    public enum Phase {
        /** No byte of the response had arrived. */
        BEFORE_RESPONSE,
        /** The status line and headers were being read. */
        DURING_HEADERS,
        /** The headers had arrived; the body was being read. */
        DURING_BODY
    }

    /** How far the exchange had got. */
    private final Phase phase;
    /** Request bytes that reached the socket. */
    private final long bytesWritten;
    /** Whether the connection had served an earlier request. */
    private final boolean reused;

    /**
     * The close of a connection mid-exchange.
     *
     * @param phase        how far the exchange had got; not {@code null}
     * @param bytesWritten request bytes that reached the socket before the close, at least 0
     * @param reused       whether the connection had served an earlier request
     * @param cause        the socket's failure, if one was seen; may be {@code null}
     */
    public PrematureCloseException(Phase phase, long bytesWritten, boolean reused, Throwable cause) {
        super("connection closed " + describe(phase) + " (request bytes written: " + bytesWritten
                + ", connection " + (reused ? "reused" : "new") + ")", cause);
        this.phase = phase;
        this.bytesWritten = bytesWritten;
        this.reused = reused;
    }

    private static String describe(Phase phase) {
        return switch (phase) {
            case BEFORE_RESPONSE -> "before the response";
            case DURING_HEADERS -> "while reading the response headers";
            case DURING_BODY -> "while reading the response body";
        };
    }

    /**
     * How far the exchange had got when the connection closed.
     *
     * @return the phase; never {@code null}
     */
    public Phase phase() {
        return phase;
    }

    /**
     * Request bytes that reached the socket before the close (on https, the TLS records carrying
     * them). 0 means the server cannot have seen the request.
     *
     * @return the byte count, at least 0
     */
    public long bytesWritten() {
        return bytesWritten;
    }

    /**
     * Whether the connection had served an earlier request; only a close on a reused connection
     * may be retried.
     *
     * @return {@code true} for a reused connection, {@code false} for one opened for this request
     */
    public boolean reused() {
        return reused;
    }
}
