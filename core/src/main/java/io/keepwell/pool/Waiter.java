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
 */
public abstract class Waiter<T> {

    private static final int WAITING = 0;
    private static final int CLAIMED = 1;
    private static final int CANCELLED = 2;

    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<Waiter> STATE = AtomicIntegerFieldUpdater.newUpdater(Waiter.class, "state");

    private final PoolKey key;
    private volatile int state = WAITING; // through STATE: one waiter per request, so no AtomicInteger of its own

    protected Waiter(PoolKey key) {
        this.key = key;
    }

    public final PoolKey key() {
        return key;
    }

    /** Whether the pool has not answered and nobody cancelled. */
    public final boolean isWaiting() {
        return state == WAITING;
    }

    final boolean tryClaim() {
        return STATE.compareAndSet(this, WAITING, CLAIMED);
    }

    final boolean tryCancel() {
        return STATE.compareAndSet(this, WAITING, CANCELLED);
    }

    /** The connection is leased to this waiter: an idle one, or one handed over on release. */
    protected abstract void onConnection(PooledConnection<T> connection);

    /**
     * A slot is reserved for a new connection to this waiter's host: connect, then report with
     * {@link ConnectionPool#connected} or {@link ConnectionPool#closed}.
     */
    protected abstract void onConnectPermit(PooledConnection<T> slot);

    /**
     * The waiter joined its host's queue (the host is at its cap); it may be answered at any time
     * from now, even before this is called. A place to start an acquire timeout that calls
     * {@link ConnectionPool#cancel}.
     */
    protected void onQueued() {
    }

    /** No connection will come: the pool is full or closed. */
    protected abstract void onFailure(IOException cause);
}
