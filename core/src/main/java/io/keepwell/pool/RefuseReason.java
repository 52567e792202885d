package io.keepwell.pool;

/** Why the pool would not keep a connection offered to it. Whoever receives the refusal closes the connection. */
public enum RefuseReason {
    /** {@link PoolConfig#keepAlive()} is off. */
    KEEP_ALIVE_DISABLED,
    /** The exchange left the connection unfit for another request (see the keep-alive decision), or it is no longer open. */
    NOT_REUSABLE,
    /** The host already has {@link PoolConfig#maxIdlePerHost()} idle connections. */
    TOO_MANY_IDLE_FOR_HOST,
    /** {@link PoolConfig#maxIdleTotal()} is 0, so no connection can ever be idle. */
    TOO_MANY_IDLE_TOTAL,
    /** The connection is older than {@link PoolConfig#maxLifetime()}. */
    LIFETIME_EXPIRED,
    /** {@code closeIdleConnections()} was called and no new request has arrived since. */
    CLOSING_IDLE,
    /** The pool is closed. */
    POOL_CLOSED,
    /**
     * A multiplexed (HTTP/2) connection received GOAWAY: it took no new stream since, and its last
     * stream just ended.
     */
    GOAWAY_RECEIVED
}
