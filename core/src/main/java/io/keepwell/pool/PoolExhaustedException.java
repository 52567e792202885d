package io.keepwell.pool;

import java.io.IOException;

/**
 * A request could not get a connection: the host is at {@code maxConnectionsPerHost} and its
 * queue of waiting requests is at {@code maxPendingAcquires}.
 */
public class PoolExhaustedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final PoolKey key;
    private final int maxConnectionsPerHost;
    private final int maxPendingAcquires;

    public PoolExhaustedException(PoolKey key, int maxConnectionsPerHost, int maxPendingAcquires) {
        super("no connection for " + key + ": " + maxConnectionsPerHost + " connections open and "
                + maxPendingAcquires + " requests already waiting");
        this.key = key;
        this.maxConnectionsPerHost = maxConnectionsPerHost;
        this.maxPendingAcquires = maxPendingAcquires;
    }

    public PoolKey key() {
        return key;
    }

    public int maxConnectionsPerHost() {
        return maxConnectionsPerHost;
    }

    public int maxPendingAcquires() {
        return maxPendingAcquires;
    }
}
