package io.keepwell.pool;

import java.util.Arrays;

/** Several pool listeners heard as one, in the order they were added. Immutable. */
final class ComposedPoolListener implements PoolListener {

    private final PoolListener[] listeners;

    private ComposedPoolListener(PoolListener[] listeners) {
        this.listeners = listeners;
    }

    /** {@code current} followed by {@code added}; {@code NOOP} is left out. */
    static PoolListener of(PoolListener current, PoolListener added) {
        if (current == NOOP) {
            return added;
        }
        if (added == NOOP) {
            return current;
        }
        PoolListener[] before = current instanceof ComposedPoolListener composed ? composed.listeners : new PoolListener[]{current};
        PoolListener[] after = Arrays.copyOf(before, before.length + 1);
        after[before.length] = added;
        return new ComposedPoolListener(after);
    }

    @Override
    public void connectionOpened(PooledConnection<?> connection) {
        for (PoolListener l : listeners) {
            l.connectionOpened(connection);
        }
    }

    @Override
    public void connectionAcquired(PooledConnection<?> connection, boolean reused) {
        for (PoolListener l : listeners) {
            l.connectionAcquired(connection, reused);
        }
    }

    @Override
    public void connectionReleased(PooledConnection<?> connection, OfferVerdict verdict) {
        for (PoolListener l : listeners) {
            l.connectionReleased(connection, verdict);
        }
    }

    @Override
    public void connectionClosed(PooledConnection<?> connection, CloseReason reason) {
        for (PoolListener l : listeners) {
            l.connectionClosed(connection, reason);
        }
    }

    @Override
    public void requestRetried(PoolKey key, String method, int attempt, Throwable cause) {
        for (PoolListener l : listeners) {
            l.requestRetried(key, method, attempt, cause);
        }
    }
}
