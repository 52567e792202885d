package io.keepwell.pool;

import io.keepwell.http.HttpTimeoutException;

import java.time.Duration;

/** A request waited longer than {@code acquireTimeout} for a connection to its host. */
public class AcquireTimeoutException extends HttpTimeoutException {
    private static final long serialVersionUID = 1L;

    /** The host whose connections were all busy. */
    private final PoolKey key;
    /** The host's connection cap at the time. */
    private final int maxConnectionsPerHost;

    /**
     * The timeout of a request to {@code key}.
     *
     * @param key                   the host
     * @param acquireTimeout        how long the request waited, {@link PoolConfig#acquireTimeout()}
     * @param maxConnectionsPerHost the host's connection cap, every connection busy
     */
    public AcquireTimeoutException(PoolKey key, Duration acquireTimeout, int maxConnectionsPerHost) {
        super(Phase.ACQUIRE, acquireTimeout, key + " has " + maxConnectionsPerHost + " connections per host, all busy");
        this.key = key;
        this.maxConnectionsPerHost = maxConnectionsPerHost;
    }

    /**
     * The host whose connections were all busy.
     *
     * @return the request's pool key
     */
    public PoolKey key() {
        return key;
    }

    /**
     * How long the request waited; the same as {@link #limit()}.
     *
     * @return the acquire timeout that ran out
     */
    public Duration acquireTimeout() {
        return limit();
    }

    /**
     * The host's connection cap, {@link PoolConfig#maxConnectionsPerHost()}.
     *
     * @return the cap, every connection busy for the whole wait
     */
    public int maxConnectionsPerHost() {
        return maxConnectionsPerHost;
    }
}
