package io.keepwell.pool.testing;

import io.keepwell.pool.CloseReason;
import io.keepwell.pool.OfferVerdict;
import io.keepwell.pool.PoolKey;
import io.keepwell.pool.PoolListener;
import io.keepwell.pool.PooledConnection;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link PoolListener} that records every event in order. Thread-safe. */
public final class RecordingPoolListener implements PoolListener {

    /** Which listener method was called. */
    public enum Type { OPENED, ACQUIRED, RELEASED, CLOSED, RETRIED }

    /**
     * One call. {@code detail} is the {@code reused} flag (ACQUIRED), the {@link OfferVerdict}
     * (RELEASED), the {@link CloseReason} (CLOSED), the attempt number (RETRIED), or {@code null}
     * (OPENED). {@code connection} is {@code null} for RETRIED, whose key is in {@code key}.
     */
    public record Event(Type type, PooledConnection<?> connection, PoolKey key, Object detail) {
        @Override
        public String toString() {
            return type + " " + (connection != null ? connection : key) + (detail != null ? " " + detail : "");
        }
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public void connectionOpened(PooledConnection<?> connection) {
        events.add(new Event(Type.OPENED, connection, connection.key(), null));
    }

    @Override
    public void connectionAcquired(PooledConnection<?> connection, boolean reused) {
        events.add(new Event(Type.ACQUIRED, connection, connection.key(), reused));
    }

    @Override
    public void connectionReleased(PooledConnection<?> connection, OfferVerdict verdict) {
        events.add(new Event(Type.RELEASED, connection, connection.key(), verdict));
    }

    @Override
    public void connectionClosed(PooledConnection<?> connection, CloseReason reason) {
        events.add(new Event(Type.CLOSED, connection, connection.key(), reason));
    }

    @Override
    public void requestRetried(PoolKey key, String method, int attempt, Throwable cause) {
        events.add(new Event(Type.RETRIED, null, key, attempt));
    }

    /** Every event so far, in order. */
    public List<Event> events() {
        return List.copyOf(events);
    }

    /** The events of one type, in order. */
    public List<Event> events(Type type) {
        return events.stream().filter(e -> e.type() == type).toList();
    }

    /** The events about one connection, in order. */
    public List<Event> eventsOf(PooledConnection<?> connection) {
        return events.stream().filter(e -> e.connection() == connection).toList();
    }

    public void clear() {
        events.clear();
    }
}
