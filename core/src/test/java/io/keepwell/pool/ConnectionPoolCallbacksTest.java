package io.keepwell.pool;

import io.keepwell.pool.testing.FakeTransport;
import io.keepwell.pool.testing.ManualClock;
import io.keepwell.pool.testing.RecordingPoolListener;
import io.keepwell.pool.testing.RecordingWaiter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.keepwell.pool.testing.RecordingPoolListener.Type.RELEASED;
import static io.keepwell.pool.testing.RecordingWaiter.Callback.CONNECTION;
import static io.keepwell.pool.testing.RecordingWaiter.Callback.CONNECT_PERMIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Foreign code (listener, waiters, the transport's close) runs after the pool's lock is released:
 * the pool decides under the lock and acts after it (issue 10, item 3).
 */
class ConnectionPoolCallbacksTest {

    private static final PoolKey A = new PoolKey("http", "a.example", 80);

    private final ManualClock clock = new ManualClock();
    private final List<String> underLock = new CopyOnWriteArrayList<>();
    private final List<Boolean> isOpenUnderLock = new CopyOnWriteArrayList<>();
    private ConnectionPool<FakeTransport> pool;

    /** Records every callback that runs while the calling thread holds the pool's lock. */
    private void probe(String what) {
        if (pool.lockHeldByCurrentThread()) {
            underLock.add(what);
        }
    }

    private final PoolListener probingListener = new PoolListener() {
        @Override
        public void connectionOpened(PooledConnection<?> c) {
            probe("connectionOpened");
        }

        @Override
        public void connectionAcquired(PooledConnection<?> c, boolean reused) {
            probe("connectionAcquired");
        }

        @Override
        public void connectionReleased(PooledConnection<?> c, OfferVerdict verdict) {
            probe("connectionReleased " + verdict);
        }

        @Override
        public void connectionClosed(PooledConnection<?> c, CloseReason reason) {
            probe("connectionClosed " + reason);
        }
    };

    private final TransportHooks<FakeTransport> probingHooks = new TransportHooks<>() {
        @Override
        public boolean isOpen(FakeTransport t) {
            isOpenUnderLock.add(pool.lockHeldByCurrentThread());
            return t.isOpen();
        }

        @Override
        public void close(FakeTransport t) {
            probe("hooks.close");
            t.close();
        }
    };

    private final class ProbingWaiter extends RecordingWaiter {
        ProbingWaiter() {
            super(A);
        }

        @Override
        protected void onConnection(PooledConnection<FakeTransport> c) {
            probe("onConnection");
            super.onConnection(c);
        }

        @Override
        protected void onConnectPermit(PooledConnection<FakeTransport> slot) {
            probe("onConnectPermit");
            super.onConnectPermit(slot);
        }

        @Override
        protected void onFailure(IOException cause) {
            probe("onFailure");
            super.onFailure(cause);
        }

        @Override
        protected void onQueued() {
            probe("onQueued");
        }
    }

    @Test
    void aListenerWaitingForAnotherThreadReadingStatsDoesNotDeadlock() throws Exception {
        CompletableFuture<PoolStats> seen = new CompletableFuture<>();
        PoolListener waitsForStats = new PoolListener() {
            @Override
            public void connectionReleased(PooledConnection<?> c, OfferVerdict verdict) {
                Thread reader = new Thread(() -> seen.complete(pool.stats()), "stats-reader");
                reader.setDaemon(true);
                reader.start();
                try {
                    seen.get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    seen.completeExceptionally(e);
                }
            }
        };
        pool = new ConnectionPool<>(PoolConfig.builder().build(), clock, waitsForStats, probingHooks);
        PooledConnection<FakeTransport> c = connect();

        assertSame(OfferVerdict.POOLED, pool.offer(c, c.lease(), true, Long.MAX_VALUE));

        assertTrue(seen.isDone() && !seen.isCompletedExceptionally(),
                "another thread could not read the stats while the listener ran: " + seen);
        assertEquals(1, seen.get().idle());
    }

    @Test
    void noListenerWaiterOrTransportCloseRunsUnderThePoolLock() {
        pool = new ConnectionPool<>(PoolConfig.builder().maxConnectionsPerHost(2).maxIdleTotal(1)
                .maxPendingAcquires(1).idleTimeout(Duration.ofSeconds(10)).build(), clock, probingListener, probingHooks);
        PooledConnection<FakeTransport> first = connect();
        PooledConnection<FakeTransport> second = connect();
        ProbingWaiter queued = new ProbingWaiter();
        pool.acquire(queued);                                                       // queued
        pool.acquire(new ProbingWaiter());                                          // queue full: failure
        assertEquals(OfferVerdict.HANDED_OFF, pool.offer(first, first.lease(), true, Long.MAX_VALUE));
        assertEquals(CONNECTION, queued.onlyCall());
        assertEquals(OfferVerdict.POOLED, pool.offer(first, first.lease(), true, Long.MAX_VALUE));
        // a second idle connection evicts the first (maxIdleTotal 1)
        assertEquals(OfferVerdict.POOLED, pool.offer(second, second.lease(), true, Long.MAX_VALUE));
        pool.closed(first, CloseReason.PEER_CLOSED);
        ProbingWaiter idleTaker = new ProbingWaiter();
        pool.acquire(idleTaker);
        assertEquals(CONNECTION, idleTaker.onlyCall());
        assertTrue(pool.offer(second, second.lease(), false, Long.MAX_VALUE).isAccepted() == false);
        ProbingWaiter permitted = new ProbingWaiter();
        PooledConnection<FakeTransport> third = connect();
        pool.acquire(permitted);                                                    // queued: 2 open
        pool.closed(second, CloseReason.REFUSED);                                   // grants a permit
        assertEquals(CONNECT_PERMIT, permitted.onlyCall());
        pool.closed(permitted.connection(), CloseReason.ABORTED);
        assertEquals(OfferVerdict.POOLED, pool.offer(third, third.lease(), true, Long.MAX_VALUE));
        clock.advance(Duration.ofSeconds(11));
        assertEquals(-1, pool.expireIfIdle(third));
        pool.closed(third, CloseReason.PEER_CLOSED);
        PooledConnection<FakeTransport> fourth = connect();
        pool.offer(fourth, true);
        pool.closeIdle();
        pool.closed(fourth, CloseReason.PEER_CLOSED);
        PooledConnection<FakeTransport> fifth = connect();
        pool.offer(fifth, true);
        pool.acquire(new ProbingWaiter());
        ProbingWaiter failedAtClose = new ProbingWaiter();
        PooledConnection<FakeTransport> sixth = connect();
        pool.acquire(failedAtClose);
        pool.close();
        pool.offer(sixth, sixth.lease(), true, Long.MAX_VALUE);

        assertEquals(List.of(), underLock);
        assertTrue(!isOpenUnderLock.isEmpty() && !isOpenUnderLock.contains(false), "the probe sees the lock where it is held");
    }

    private PooledConnection<FakeTransport> connect() {
        ProbingWaiter w = new ProbingWaiter();
        pool.acquire(w);
        assertEquals(CONNECT_PERMIT, w.onlyCall());
        assertTrue(pool.connected(w.connection(), new FakeTransport()));
        return w.connection();
    }
}
