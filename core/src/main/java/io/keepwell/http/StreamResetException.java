package io.keepwell.http;

import java.io.IOException;

/**
 * An HTTP/2 stream was ended by the server: reset ({@code RST_STREAM}) with an error code, refused
 * ({@code REFUSED_STREAM}), or left unprocessed by a {@code GOAWAY} whose last stream id is below
 * it. When {@link #unprocessed()} is {@code true} the server has promised it did not act on the
 * request, so the client sends it again on another connection whatever its method (a request
 * whose body cannot be produced again only if none of it was sent); this exception reaches the
 * caller only when those attempts run out.
 */
public final class StreamResetException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The {@code REFUSED_STREAM} error code (RFC 9113 section 7). */
    public static final long REFUSED_STREAM = 0x7;

    /** The HTTP/2 error code the server sent. */
    private final long errorCode;
    /** The error code's name. */
    private final String errorName;
    /** Whether the server promised it did not process the request. */
    private final boolean unprocessed;

    /**
     * A reset as the server sent it.
     *
     * @param message     what happened, naming the request
     * @param errorCode   the HTTP/2 error code of the reset or GOAWAY
     * @param errorName   the code's name, such as {@code "CANCEL"}; not {@code null}
     * @param unprocessed whether the server promised it did not process the request
     */
    public StreamResetException(String message, long errorCode, String errorName, boolean unprocessed) {
        super(message);
        this.errorCode = errorCode;
        this.errorName = errorName;
        this.unprocessed = unprocessed;
    }

    /**
     * The HTTP/2 error code the server sent ({@code RST_STREAM}'s, or {@code GOAWAY}'s when the
     * stream was above its last stream id).
     *
     * @return the error code, such as {@code 0x7} for {@code REFUSED_STREAM}
     */
    public long errorCode() {
        return errorCode;
    }

    /**
     * The error code's name.
     *
     * @return a name such as {@code "REFUSED_STREAM"}, {@code "CANCEL"} or {@code "INTERNAL_ERROR"}
     */
    public String errorName() {
        return errorName;
    }

    /**
     * Whether the server promised it did not process the request (a refused stream, or one above
     * a {@code GOAWAY}'s last stream id): such a request is safe to send again.
     *
     * @return {@code true} when the request was not processed
     */
    public boolean unprocessed() {
        return unprocessed;
    }
}
