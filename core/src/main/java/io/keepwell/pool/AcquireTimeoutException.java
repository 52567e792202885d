package io.keepwell.pool;

import java.io.IOException;
import java.time.Duration;

/** A request waited longer than {@code acquireTimeout} for a connection to its host. */
public class AcquireTimeoutException extends IOException {
    private static final long serialVersionUID = 1L;

    private final PoolKey key;
    private final Duration acquireTimeout;
    private final int maxConnectionsPerHost;

    public AcquireTimeoutException(PoolKey key, Duration acquireTimeout, int maxConnectionsPerHost) {
        super("no connection for " + key + " within " + acquireTimeout.toMillis() + " ms ("
                + maxConnectionsPerHost + " connections per host)");
        this.key = key;
        this.acquireTimeout = acquireTimeout;
        this.maxConnectionsPerHost = maxConnectionsPerHost;
    }

    public PoolKey key() {
        return key;
    }

    public Duration acquireTimeout() {
        return acquireTimeout;
    }

    public int maxConnectionsPerHost() {
        return maxConnectionsPerHost;
    }
}
