package io.keepwell.pool;

import io.keepwell.http.HttpTimeoutException;

import java.time.Duration;

/** A request waited longer than {@code acquireTimeout} for a connection to its host. */
public class AcquireTimeoutException extends HttpTimeoutException {
    private static final long serialVersionUID = 1L;

    private final PoolKey key;
    private final int maxConnectionsPerHost;

    public AcquireTimeoutException(PoolKey key, Duration acquireTimeout, int maxConnectionsPerHost) {
        super(Phase.ACQUIRE, acquireTimeout, key + " has " + maxConnectionsPerHost + " connections per host, all busy");
        this.key = key;
        this.maxConnectionsPerHost = maxConnectionsPerHost;
    }

    public PoolKey key() {
        return key;
    }

    public Duration acquireTimeout() {
        return limit();
    }

    public int maxConnectionsPerHost() {
        return maxConnectionsPerHost;
    }
}
