package io.keepwell.pool.testing;

import io.keepwell.pool.PoolKey;
import io.keepwell.pool.PooledConnection;
import io.keepwell.pool.Waiter;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link Waiter} that records every callback it gets, so a test can check it got exactly one. */
public class RecordingWaiter extends Waiter<FakeTransport> {

    /** The three ways the pool can answer. */
    public enum Callback { CONNECTION, CONNECT_PERMIT, FAILURE }

    private final List<Callback> calls = new CopyOnWriteArrayList<>();
    private volatile PooledConnection<FakeTransport> connection;
    private volatile IOException failure;

    public RecordingWaiter(PoolKey key) {
        super(key);
    }

    @Override
    protected void onConnection(PooledConnection<FakeTransport> connection) {
        this.connection = connection;
        calls.add(Callback.CONNECTION);
    }

    @Override
    protected void onConnectPermit(PooledConnection<FakeTransport> slot) {
        this.connection = slot;
        calls.add(Callback.CONNECT_PERMIT);
    }

    @Override
    protected void onFailure(IOException cause) {
        this.failure = cause;
        calls.add(Callback.FAILURE);
    }

    /** Every callback so far, in order. */
    public List<Callback> calls() {
        return List.copyOf(calls);
    }

    /** Whether the pool has answered at all. */
    public boolean answered() {
        return !calls.isEmpty();
    }

    /** The only callback received; fails if there was none or more than one. */
    public Callback onlyCall() {
        List<Callback> c = calls();
        if (c.size() != 1) {
            throw new AssertionError("expected exactly one callback, got " + c);
        }
        return c.get(0);
    }

    /** The connection (idle or handed off) or connect slot received; {@code null} if none. */
    public PooledConnection<FakeTransport> connection() {
        return connection;
    }

    /** The failure received; {@code null} if none. */
    public IOException failure() {
        return failure;
    }
}
