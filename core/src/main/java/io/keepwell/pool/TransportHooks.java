package io.keepwell.pool;

/**
 * What the pool needs from the transport, and nothing more: whether a connection's socket is still
 * open, and a way to start closing one the pool has chosen to drop (evicted, expired, closed as
 * idle). {@link #close} must not block; once the socket is closed the transport reports it with
 * {@link ConnectionPool#closed}.
 */
public interface TransportHooks<T> {

    /** Whether the socket is open; checked when an idle connection is taken, cannot be switched off. */
    boolean isOpen(T transport);

    /** Starts closing a connection the pool has dropped. */
    void close(T transport);

    /**
     * {@code connection} is idle again without the transport having seen its lease: it was leased
     * to a waiter that had gone meanwhile and given back unused. A transport that runs idle timers
     * re-arms its own here. Called outside the pool's lock; must not block. Default: nothing.
     */
    default void idleAgain(PooledConnection<T> connection) {
    }
}
