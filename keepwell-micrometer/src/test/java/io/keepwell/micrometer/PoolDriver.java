package io.keepwell.micrometer;

import io.keepwell.pool.CloseReason;
import io.keepwell.pool.ConnectionPool;
import io.keepwell.pool.PoolConfig;
import io.keepwell.pool.PoolKey;
import io.keepwell.pool.PoolListener;
import io.keepwell.pool.PooledConnection;
import io.keepwell.pool.testing.FakeTransport;
import io.keepwell.pool.testing.FakeTransportHooks;
import io.keepwell.pool.testing.ManualClock;
import io.keepwell.pool.testing.RecordingWaiter;

import static io.keepwell.pool.testing.RecordingWaiter.Callback.CONNECTION;
import static io.keepwell.pool.testing.RecordingWaiter.Callback.CONNECT_PERMIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real pool on fake transports whose events go to a listener: the test plays the transport. */
final class PoolDriver {

    final ConnectionPool<FakeTransport> pool;

    PoolDriver(PoolConfig config, PoolListener listener) {
        pool = new ConnectionPool<>(config, new ManualClock(), listener, new FakeTransportHooks());
    }

    /** A connection slot granted but not yet connected. */
    PooledConnection<FakeTransport> connecting(PoolKey key) {
        RecordingWaiter w = new RecordingWaiter(key);
        pool.acquire(w);
        assertEquals(CONNECT_PERMIT, w.onlyCall());
        return w.connection();
    }

    PooledConnection<FakeTransport> connect(PoolKey key) {
        PooledConnection<FakeTransport> slot = connecting(key);
        assertTrue(pool.connected(slot, new FakeTransport()));
        return slot;
    }

    PooledConnection<FakeTransport> takeIdle(PoolKey key) {
        RecordingWaiter w = new RecordingWaiter(key);
        pool.acquire(w);
        assertEquals(CONNECTION, w.onlyCall());
        return w.connection();
    }

    /** A request that waits: the host is at its cap. */
    RecordingWaiter queue(PoolKey key) {
        RecordingWaiter w = new RecordingWaiter(key);
        pool.acquire(w);
        assertTrue(w.calls().isEmpty(), "queued");
        return w;
    }

    /** The owner closes the socket and the transport reports it. */
    void closeAndReport(PooledConnection<FakeTransport> c) {
        if (c.transport() != null) {
            c.transport().close();
        }
        pool.closed(c, CloseReason.PEER_CLOSED);
    }
}
