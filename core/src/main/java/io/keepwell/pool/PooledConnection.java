package io.keepwell.pool;

/**
 * The pool's record of one connection: its key, its state and its deadlines, around the transport
 * object ({@code T}, a channel for the Netty adapter) that the pool never touches itself.
 *
 * <p>Fields other than {@code key} and {@code id} are guarded by the owning pool's lock.
 *
 * @param <T> the transport's connection object, as in {@link ConnectionPool}
 */
public final class PooledConnection<T> {

    private final PoolKey key;
    private final long id;
    private final long lifetimeDeadlineNanos;

    private volatile T transport;          // set once, when connected
    ConnState state = ConnState.CONNECTING; // guarded by pool lock
    CloseReason closeReason;                // guarded by pool lock; chosen when entering CLOSING
    long idleDeadlineNanos;                 // guarded by pool lock; valid while IDLE
    long idleSinceNanos;                    // guarded by pool lock; valid while IDLE
    volatile long idleNanosBeforeLease = -1; // written under the pool lock, with each lease
    volatile int leases;                    // written under the pool lock; the lease number: requests served, the current one included
    boolean multiplexed;                    // guarded by pool lock; set once, when connected as HTTP/2
    int maxStreams = 1;                     // guarded by pool lock; the peer's concurrency limit, when multiplexed
    int streams;                            // guarded by pool lock; stream slots taken, when multiplexed
    boolean draining;                       // guarded by pool lock; takes no new stream (GOAWAY, lifetime, closed)
    CloseReason drainReason;                // guarded by pool lock; why it drains, counted when its last stream ends
    boolean coalescing;                     // guarded by pool lock; the host's one connect that may come up multiplexed
    PooledConnection<T> lruPrev;            // guarded by pool lock; idle list links, oldest first
    PooledConnection<T> lruNext;            // guarded by pool lock

    PooledConnection(PoolKey key, long id, long lifetimeDeadlineNanos) {
        this.key = key;
        this.id = id;
        this.lifetimeDeadlineNanos = lifetimeDeadlineNanos;
    }

    /**
     * The host this connection serves.
     *
     * @return the connection's pool key, fixed for its life
     */
    public PoolKey key() {
        return key;
    }

    /**
     * A number unique within the pool, in order of creation.
     *
     * @return the connection's id, 1 for the pool's first
     */
    public long id() {
        return id;
    }

    /**
     * The number of the current lease (1 for the first request, growing by one with each). The
     * holder of a lease passes it back with {@link ConnectionPool#offer(PooledConnection, int, boolean, long)},
     * so a late release from an earlier lease is caught instead of releasing a later one.
     *
     * @return the current lease number; 0 before the connection is first leased
     */
    public int lease() {
        return leases;
    }

    /**
     * How long the connection sat in the idle list before the current lease took it from there;
     * -1 when the current lease did not come from the idle list (a new connection, or one handed
     * straight from the request releasing it to a waiting one).
     *
     * @return nanoseconds idle before the current lease, or -1
     */
    public long idleNanosBeforeLease() {
        return idleNanosBeforeLease;
    }

    /**
     * Whether the connection carries many streams at once (HTTP/2), as reported by
     * {@link ConnectionPool#connectedMultiplexed}. A plain read: {@code false} until then.
     *
     * @return {@code true} for a multiplexed connection
     */
    public boolean isMultiplexed() {
        return multiplexedView;
    }

    private volatile boolean multiplexedView; // the lock-free view of multiplexed, for the transport

    void markMultiplexed(int maxStreams) {
        this.multiplexed = true;
        this.multiplexedView = true;
        this.maxStreams = maxStreams;
    }

    /**
     * The transport object.
     *
     * @return the established connection; {@code null} while connecting, and for a connect that
     *         failed
     */
    public T transport() {
        return transport;
    }

    void transport(T transport) {
        this.transport = transport;
    }

    /** Deadline of the connection's lifetime, on the pool's clock; meaningless (0) when the pool sets no lifetime. */
    long lifetimeDeadlineNanos() {
        return lifetimeDeadlineNanos;
    }

    @Override
    public String toString() {
        return "conn#" + id + "[" + key + "]";
    }
}
