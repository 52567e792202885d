package io.keepwell.micrometer;

import io.keepwell.pool.CloseReason;
import io.keepwell.pool.OfferVerdict;
import io.keepwell.pool.PoolKey;
import io.keepwell.pool.PoolListener;
import io.keepwell.pool.PooledConnection;

import java.util.function.Supplier;

/** Passes pool events to a listener made after the pool (as a client will: the metrics need the pool's stats). */
final class ForwardingPoolListener implements PoolListener {

    private final Supplier<? extends PoolListener> target;

    ForwardingPoolListener(Supplier<? extends PoolListener> target) {
        this.target = target;
    }

    @Override
    public void connectionOpened(PooledConnection<?> connection) {
        target.get().connectionOpened(connection);
    }

    @Override
    public void connectionAcquired(PooledConnection<?> connection, boolean reused) {
        target.get().connectionAcquired(connection, reused);
    }

    @Override
    public void connectionReleased(PooledConnection<?> connection, OfferVerdict verdict) {
        target.get().connectionReleased(connection, verdict);
    }

    @Override
    public void connectionClosed(PooledConnection<?> connection, CloseReason reason) {
        target.get().connectionClosed(connection, reason);
    }

    @Override
    public void requestRetried(PoolKey key, String method, int attempt, Throwable cause) {
        target.get().requestRetried(key, method, attempt, cause);
    }
}
