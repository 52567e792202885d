package io.keepwell.keepalive;

import java.net.http.HttpRequest;

import java.util.Set;

/**
 * Whether a request that failed before any response byte may be sent again on another connection:
 * Go's rule ({@code shouldRetryRequest}), decided only from facts the write path recorded.
 *
 * <ul>
 *   <li>Only after a failure on a <em>reused</em> connection: a fresh connection that fails says
 *       something about the server, and retrying on fresh ones could loop forever. Such retries
 *       are not counted (Go repeats them too): the stale connections of a pool run out.</li>
 *   <li>Only if no response byte arrived: a started response belongs to this attempt.</li>
 *   <li>Then, if no request byte reached the socket, any request may go again; otherwise only a
 *       replayable one: an idempotent method (or an {@code Idempotency-Key}) with a body that can
 *       be produced again. A POST whose bytes were written is never sent twice.</li>
 * </ul>
 */
public final class RetryPolicy {

    private static final Set<String> IDEMPOTENT_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

    /** Why a failed request is, or is not, sent again. */
    public enum Decision {
        /** Retry: nothing of the request was written. */
        RETRY_NOTHING_WRITTEN,
        /** Retry: the request is replayable. */
        RETRY_REPLAYABLE,
        /** No retry: the failure happened on a new connection. */
        NO_FRESH_CONNECTION,
        /** No retry: part of the response had arrived. */
        NO_RESPONSE_STARTED,
        /** No retry: bytes were written and the request is not replayable. */
        NO_NOT_REPLAYABLE,
        /** No retry: retries are off, or a request the server left unprocessed was sent as often as allowed. */
        NO_RETRIES_LEFT,
        /** Retry: the server promised it did not process the request (HTTP/2 refused stream, or above a GOAWAY). */
        RETRY_UNPROCESSED,
        /** No retry: the server did not process the request, but its body was partly sent and cannot be produced again. */
        NO_BODY_NOT_REPLAYABLE;

        /**
         * Whether the request goes again.
         *
         * @return {@code true} for the {@code RETRY_*} decisions
         */
        public boolean retry() {
            return this == RETRY_NOTHING_WRITTEN || this == RETRY_REPLAYABLE || this == RETRY_UNPROCESSED;
        }
    }

    /**
     * Most sends of one request after the server left it unprocessed: a server that refuses every
     * stream must not make a call loop forever.
     */
    public static final int MAX_UNPROCESSED_RETRIES = 5;

    private RetryPolicy() {
    }

    /**
     * For a request the server promised it did not process (an HTTP/2 stream it refused, or one
     * above its GOAWAY's last stream id): any method may go again, on another connection, however
     * fresh the failed one was; its body only if none of it was sent or it can be produced again.
     *
     * @param maxRetries         0 turns retry off; any other value allows it
     * @param unprocessedRetries such retries of this request so far
     * @param bytesWritten       request bytes that reached the connection on the failed attempt
     */
    public static Decision decideUnprocessed(HttpRequest request, int maxRetries, int unprocessedRetries, long bytesWritten) {
        if (maxRetries == 0 || unprocessedRetries >= MAX_UNPROCESSED_RETRIES) {
            return Decision.NO_RETRIES_LEFT;
        }
        if (bytesWritten > 0 && !request.bodyPublisher().map(ReplayableBodies::canSendAgain).orElse(true)) {
            return Decision.NO_BODY_NOT_REPLAYABLE;
        }
        return Decision.RETRY_UNPROCESSED;
    }

    /** Whether the request may be sent twice without harm. */
    public static boolean isReplayable(HttpRequest request) {
        boolean idempotent = IDEMPOTENT_METHODS.contains(request.method())
                || request.headers().firstValue("Idempotency-Key").isPresent()
                || request.headers().firstValue("X-Idempotency-Key").isPresent();
        return idempotent && request.bodyPublisher().map(ReplayableBodies::canSendAgain).orElse(true);
    }

    /**
     * Retries are not counted: every retry this rule allows follows a failure on a reused connection
     * before any response byte (Go's {@code shouldRetryRequest}, which Go repeats as often as it
     * happens). Each such connection is closed and a pool holds finitely many, so it ends; a failure
     * on a fresh connection ends it at once.
     *
     * @param maxRetries      0 turns retry off; any other value allows it
     * @param reused          the failed connection had served an earlier request
     * @param responseStarted any byte of a response arrived
     * @param bytesWritten    request bytes that reached the socket
     */
    public static Decision decide(HttpRequest request, int maxRetries, boolean reused,
                                  boolean responseStarted, long bytesWritten) {
        if (maxRetries == 0) {
            return Decision.NO_RETRIES_LEFT;
        }
        if (!reused) {
            return Decision.NO_FRESH_CONNECTION;
        }
        if (responseStarted) {
            return Decision.NO_RESPONSE_STARTED;
        }
        if (bytesWritten == 0) {
            return Decision.RETRY_NOTHING_WRITTEN;
        }
        return isReplayable(request) ? Decision.RETRY_REPLAYABLE : Decision.NO_NOT_REPLAYABLE;
    }
}
