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

    /** A new connection is established. */
    default void connectionOpened(PooledConnection<?> connection) {
    }

    /** A request got a connection; {@code reused} if it had served an earlier request. */
    default void connectionAcquired(PooledConnection<?> connection, boolean reused) {
    }

    /** A connection came back after a request: pooled, handed to a waiter, or refused with a reason. */
    default void connectionReleased(PooledConnection<?> connection, OfferVerdict verdict) {
    }

    /** A connection's socket closed; counted under {@code reason}. */
    default void connectionClosed(PooledConnection<?> connection, CloseReason reason) {
    }

    /** A request that failed on a reused connection is being sent again on another one. */
    default void requestRetried(PoolKey key, String method, int attempt, Throwable cause) {
    }
}
