package io.keepwell.pool;

import java.io.IOException;

/**
 * A request could not get a connection: the host is at {@code maxConnectionsPerHost} and its
 * queue of waiting requests is at {@code maxPendingAcquires}.
 */
public class PoolExhaustedException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The host that had no connection to give. */
    private final PoolKey key;
    /** The host's connection cap at the time, all in use. */
    private final int maxConnectionsPerHost;
    /** The host's queue length at the time, all taken. */
    private final int maxPendingAcquires;

    /**
     * The failure for a request to {@code key}.
     *
     * @param key                   the host
     * @param maxConnectionsPerHost the host's connection cap, reached
     * @param maxPendingAcquires    the host's queue length, reached
     */
    public PoolExhaustedException(PoolKey key, int maxConnectionsPerHost, int maxPendingAcquires) {
        super("no connection for " + key + ": " + maxConnectionsPerHost + " connections open and "
                + maxPendingAcquires + " requests already waiting");
        this.key = key;
        this.maxConnectionsPerHost = maxConnectionsPerHost;
        this.maxPendingAcquires = maxPendingAcquires;
    }

    /**
     * The host that had no connection to give.
     *
     * @return the request's pool key
     */
    public PoolKey key() {
        return key;
    }

    /**
     * The host's connection cap, {@link PoolConfig#maxConnectionsPerHost()}, every one in use.
     *
     * @return the cap
     */
    public int maxConnectionsPerHost() {
        return maxConnectionsPerHost;
    }

    /**
     * The host's queue length, {@link PoolConfig#maxPendingAcquires()}, every place taken.
     *
     * @return the queue length; 0 when the pool queues no request
     */
    public int maxPendingAcquires() {
        return maxPendingAcquires;
    }
}
