package io.keepwell.pool;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A request's claim on a connection to one host. The pool answers it exactly once, through one of
 * the three callbacks, called without the pool's lock held.
 *
 * <p>Handing a connection to a waiter is a <em>try</em>: the pool first claims the waiter, which
 * fails once {@link ConnectionPool#cancel} has won; a waiter that gets a connection it no longer
 * wants must offer it back (Go's {@code wantConn.tryDeliver}).
 *
 * @param <T> the transport's connection object, as in {@link ConnectionPool}
 */
public abstract class Waiter<T> {

    private static final int WAITING = 0;
    private static final int CLAIMED = 1;
    private static final int CANCELLED = 2;

    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<Waiter> STATE = AtomicIntegerFieldUpdater.newUpdater(Waiter.class, "state");

    private final PoolKey key;
    private volatile int state = WAITING; // through STATE: one waiter per request, so no AtomicInteger of its own
    PooledConnection<T> coalescedOn;      // guarded by the pool lock: the connect it waits on instead of opening its own

    /**
     * A waiter, still waiting, for a connection to {@code key}.
     *
     * @param key the host the request goes to
     */
    protected Waiter(PoolKey key) {
        this.key = key;
    }

    /**
     * The host this waiter wants a connection to.
     *
     * @return the key given at construction
     */
    public final PoolKey key() {
        return key;
    }

    /**
     * Whether the pool has not answered and nobody cancelled.
     *
     * @return {@code true} while still waiting; once {@code false}, it stays so
     */
    public final boolean isWaiting() {
        return state == WAITING;
    }

    final boolean tryClaim() {
        return STATE.compareAndSet(this, WAITING, CLAIMED);
    }

    final boolean tryCancel() {
        return STATE.compareAndSet(this, WAITING, CANCELLED);
    }

    /**
     * The connection is leased to this waiter: an idle one, or one handed over on release. For a
     * multiplexed connection ({@link PooledConnection#isMultiplexed()}) the lease is one stream
     * slot, taken before the stream is opened: the waiter opens its stream and gives the slot back
     * with {@link ConnectionPool#releaseStream} exactly once, when the stream has closed (or failed
     * to open).
     *
     * @param connection an active connection, now the waiter's to use and then offer back
     */
    protected abstract void onConnection(PooledConnection<T> connection);

    /**
     * A slot is reserved for a new connection to this waiter's host: connect, then report with
     * {@link ConnectionPool#connected} or {@link ConnectionPool#closed}.
     *
     * @param slot the reserved slot, connecting, with no transport yet
     */
    protected abstract void onConnectPermit(PooledConnection<T> slot);

    /**
     * The waiter joined its host's queue (the host is at its cap); it may be answered at any time
     * from now, even before this is called. A place to start an acquire timeout that calls
     * {@link ConnectionPool#cancel}.
     */
    protected void onQueued() {
    }

    /**
     * No connection will come: the pool is full or closed, or the connect this waiter waited on
     * (instead of opening its own, see {@link ConnectionPool#connectFailed}) failed.
     *
     * @param cause a {@link PoolExhaustedException} when the host's queue is full, an
     *              {@link io.keepwell.http.ClientClosedException} when the pool is closed, the
     *              connect's own failure when the connect it waited on failed
     */
    protected abstract void onFailure(IOException cause);
}
