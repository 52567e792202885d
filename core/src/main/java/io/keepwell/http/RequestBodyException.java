package io.keepwell.http;

import java.io.IOException;

/**
 * Producing the request body failed on this side: the body's stream supplier threw, its stream or
 * publisher failed, its file could not be read, or its publisher emitted a length other than the
 * one it declared. The caller's own failure, with its cause attached (even when the cause is an
 * {@link IOException}: this type is what tells it from a network failure). Never retried; the
 * connection is closed with {@code CloseReason.REQUEST_BODY_FAILED}.
 */
public class RequestBodyException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * The failure of {@code request}'s body.
     *
     * @param request the request, as described in the message (its method and URI)
     * @param cause   what the body's supplier, stream, publisher or file threw or reported
     */
    public RequestBodyException(String request, Throwable cause) {
        super("the request body of " + request + " failed: " + cause, cause);
    }
}
