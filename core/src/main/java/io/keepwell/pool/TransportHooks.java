package io.keepwell.pool;

/**
 * What the pool needs from the transport, and nothing more: whether a connection's socket is still
 * open, and a way to start closing one the pool has chosen to drop (evicted, expired, closed as
 * idle). {@link #close} must not block; once the socket is closed the transport reports it with
 * {@link ConnectionPool#closed}.
 *
 * @param <T> the transport's connection object, as in {@link ConnectionPool}
 */
public interface TransportHooks<T> {

    /**
     * Whether the socket is open; checked when an idle connection is taken, cannot be switched off.
     * Called under the pool's lock: a plain read, which must not call back into the pool.
     *
     * @param transport an established connection
     * @return {@code true} if its socket is still open
     */
    boolean isOpen(T transport);

    /**
     * Starts closing a connection the pool has dropped; called without the pool's lock held. Must
     * not block.
     *
     * @param transport the established connection to close
     */
    void close(T transport);

    /**
     * Whether a new connection to {@code key} may come up multiplexed (HTTP/2 offered through ALPN,
     * or prior knowledge). While such a connect is in flight the pool opens no other connection to
     * the host: requests wait for the server's settings (or the connect's failure) instead. Called
     * under the pool's lock: a plain read.
     *
     * @param key the host
     * @return {@code true} if a connection to it may carry many streams; {@code false} by default
     */
    default boolean mayMultiplex(PoolKey key) {
        return false;
    }

}
