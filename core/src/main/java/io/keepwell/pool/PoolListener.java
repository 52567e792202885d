package io.keepwell.pool;

/**
 * Hears what the pool does with connections. Called after the pool's lock is released, on whatever
 * thread made the change (often an I/O thread): implementations must be quick and must not block.
 * Every method does nothing by default.
 */
public interface PoolListener {

    /** A listener that ignores everything. */
    PoolListener NOOP = new PoolListener() {
    };

    /**
     * A new connection is established, whether or not the pool keeps it (a pool closed meanwhile
     * has it closed at once).
     *
     * @param connection the connection, its transport set
     */
    default void connectionOpened(PooledConnection<?> connection) {
    }

    /**
     * A request got a connection.
     *
     * @param connection the connection now leased to the request
     * @param reused     {@code true} if it had served an earlier request, {@code false} if it was
     *                   just opened for this one
     */
    default void connectionAcquired(PooledConnection<?> connection, boolean reused) {
    }

    /**
     * A connection came back after a request: pooled, handed to a waiter, or refused with a reason.
     *
     * @param connection the connection offered back
     * @param verdict    what the pool did with it; never {@code null}
     */
    default void connectionReleased(PooledConnection<?> connection, OfferVerdict verdict) {
    }

    /**
     * An established connection's socket closed; a failed connect is not reported.
     *
     * @param connection the closed connection
     * @param reason     the one reason the close is counted under in {@link PoolStats#closedByReason()}
     */
    default void connectionClosed(PooledConnection<?> connection, CloseReason reason) {
    }

    /**
     * A request that failed on a reused connection is being sent again on another one.
     *
     * @param key     the host the request goes to
     * @param method  the request's method, such as {@code "GET"}
     * @param attempt which retry this is: 1 for the first
     * @param cause   why the previous attempt failed
     */
    default void requestRetried(PoolKey key, String method, int attempt, Throwable cause) {
    }
}
