package io.keepwell.pool;

import io.keepwell.pool.testing.FakeTransport;
import io.keepwell.pool.testing.FakeTransportHooks;
import io.keepwell.pool.testing.ManualClock;
import io.keepwell.pool.testing.RecordingWaiter;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.keepwell.pool.testing.RecordingWaiter.Callback.CONNECT_PERMIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ConnectionPool#stats(PoolKey)} and {@link ConnectionPool#statsByHost()}: each host's current counts. */
class ConnectionPoolHostStatsTest {

    private static final PoolKey A = new PoolKey("http", "a.example", 80);
    private static final PoolKey B = new PoolKey("https", "b.example", 443);
    private static final PoolKey NEVER_SEEN = new PoolKey("http", "never.example", 8080);

    private final ConnectionPool<FakeTransport> pool = new ConnectionPool<>(
            PoolConfig.builder().maxConnectionsPerHost(2).build(), new ManualClock(), PoolListener.NOOP,
            new FakeTransportHooks());

    @Test
    void aHostNeverSeenIsAllZeroAndAbsentFromTheMap() {
        assertEquals(PoolStats.EMPTY, pool.stats(NEVER_SEEN));
        assertEquals(0, PoolStats.EMPTY.open() + PoolStats.EMPTY.pending() + PoolStats.EMPTY.refusedTotal());
        assertEquals(Map.of(), pool.statsByHost());
    }

    @Test
    void eachHostCountsOnlyItsOwnConnectionsAndWaiters() {
        PooledConnection<FakeTransport> idle = connect(A);
        PooledConnection<FakeTransport> refused = connect(A);
        assertSame(OfferVerdict.POOLED, pool.offer(idle, true));
        assertSame(OfferVerdict.refused(RefuseReason.NOT_REUSABLE), pool.offer(refused, false)); // closing until reported

        connect(B); // stays active
        RecordingWaiter connectingToB = new RecordingWaiter(B);
        pool.acquire(connectingToB);
        assertEquals(CONNECT_PERMIT, connectingToB.onlyCall());
        RecordingWaiter queued = new RecordingWaiter(B);
        pool.acquire(queued); // B is at its cap of 2: it waits
        assertTrue(queued.calls().isEmpty());

        PoolStats a = PoolStats.current(2, 1, 0, 0, 0);
        PoolStats b = PoolStats.current(2, 0, 1, 1, 1);
        assertEquals(a, pool.stats(A));
        assertEquals(b, pool.stats(B));
        assertEquals(Map.of(A, a, B, b), pool.statsByHost());
        PoolStats all = pool.stats();
        assertEquals(PoolStats.current(4, 1, 1, 1, 1),
                PoolStats.current(all.open(), all.idle(), all.active(), all.connecting(), all.pending()),
                "the hosts add up to the pool");
    }

    @Test
    void aHostWithNothingLeftIsForgottenAndReadsZeroAgain() {
        PooledConnection<FakeTransport> c = connect(A);
        assertEquals(PoolStats.current(1, 0, 1, 0, 0), pool.stats(A));

        assertTrue(pool.markClosing(c, CloseReason.ABORTED));
        assertEquals(PoolStats.current(1, 0, 0, 0, 0), pool.stats(A), "closing still counts as open");
        c.transport().close();
        pool.closed(c, CloseReason.PEER_CLOSED);

        assertEquals(PoolStats.EMPTY, pool.stats(A));
        assertEquals(Map.of(), pool.statsByHost());
    }

    @Test
    void theHostMapIsASnapshotTheCallerCannotChange() {
        connect(A);
        Map<PoolKey, PoolStats> before = pool.statsByHost();
        connect(B);
        assertEquals(Map.of(A, PoolStats.current(1, 0, 1, 0, 0)), before);
        assertThrows(UnsupportedOperationException.class, () -> before.remove(A));
    }

    @Test
    void hostTotalsAreZeroWhileThePoolTotalsCount() {
        PooledConnection<FakeTransport> c = connect(A);
        assertSame(OfferVerdict.POOLED, pool.offer(c, true));
        assertEquals(1, pool.stats().opened());
        assertEquals(0, pool.stats(A).opened(), "the pool keeps totals for the whole pool only");
        assertEquals(0L, pool.stats(A).closedBy(CloseReason.REFUSED));
    }

    /** Reading stats leaves the lock free: another thread can still use the pool. */
    @Test
    void readingStatsReleasesThePoolsLock() throws Exception {
        connect(A);
        pool.stats();
        pool.stats(A);
        pool.statsByHost();
        java.util.concurrent.CompletableFuture<PoolStats> elsewhere = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            connect(B);
            return pool.stats();
        });
        assertEquals(2, elsewhere.get(5, java.util.concurrent.TimeUnit.SECONDS).open());
    }

    private PooledConnection<FakeTransport> connect(PoolKey key) {
        RecordingWaiter w = new RecordingWaiter(key);
        pool.acquire(w);
        assertEquals(CONNECT_PERMIT, w.onlyCall());
        assertTrue(pool.connected(w.connection(), new FakeTransport()));
        return w.connection();
    }
}
