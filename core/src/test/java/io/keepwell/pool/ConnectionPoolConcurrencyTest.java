package io.keepwell.pool;

import io.keepwell.pool.testing.FakeTransport;
import io.keepwell.pool.testing.FakeTransportHooks;
import io.keepwell.pool.testing.ManualClock;

import org.junit.jupiter.api.RepeatedTest;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several threads start, finish, abort and cancel requests against one pool for a bounded number of
 * steps, the way event loops and timeout threads would; then every count must add up. Requests are
 * asynchronous: a leased connection goes to a shared in-flight queue, and any thread may finish it
 * later. The fake transport completes closes at once (the hooks report {@code closed} themselves),
 * so once the in-flight queue is drained nothing may be active, connecting, closing or waiting.
 */
class ConnectionPoolConcurrencyTest {

    private static final PoolKey[] KEYS = {
            new PoolKey("http", "a.example", 80),
            new PoolKey("http", "b.example", 80),
            new PoolKey("http", "c.example", 8080),
    };
    private static final int THREADS = 4;
    private static final int STEPS_PER_THREAD = 5_000;
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    private final ManualClock clock = new ManualClock();
    private final Map<FakeTransport, PooledConnection<FakeTransport>> byTransport = new ConcurrentHashMap<>();
    private final FakeTransportHooks hooks = new FakeTransportHooks(t -> pool().closed(byTransport.get(t), CloseReason.PEER_CLOSED));
    private final ConnectionPool<FakeTransport> pool = new ConnectionPool<>(
            PoolConfig.builder()
                    .maxConnectionsPerHost(3)
                    .maxIdlePerHost(2)
                    .maxIdleTotal(3)
                    .maxPendingAcquires(2)
                    .idleTimeout(IDLE_TIMEOUT)
                    .build(),
            clock, PoolListener.NOOP, hooks);

    private final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    private final Queue<PooledConnection<FakeTransport>> inFlight = new ConcurrentLinkedQueue<>();
    private final AtomicLong acquires = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong exhausted = new AtomicLong();
    private final AtomicLong handedConnections = new AtomicLong();
    private final AtomicLong connectFailures = new AtomicLong();
    private final AtomicLong pooled = new AtomicLong();
    private final AtomicLong handedOff = new AtomicLong();
    private final AtomicLongArray refused = new AtomicLongArray(RefuseReason.values().length);

    private ConnectionPool<FakeTransport> pool() {
        return pool;
    }

    /**
     * Races are caught by chance: one round on two cores catches a lock removed from
     * {@code closed()} about half the time, so a few short rounds on fresh pools make that likely.
     */
    @RepeatedTest(8)
    void countsStayConsistentUnderConcurrentAcquireOfferAndClose() throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    runSteps();
                    drainInFlight();
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "pool-stress-" + i);
            threads.add(t);
            t.start();
        }
        start.countDown();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(t.isAlive(), t.getName() + " did not finish");
        }

        drainInFlight();

        assertEquals(List.of(), new ArrayList<>(errors));
        assertEquals(acquires.get(), answered.get() + cancelled.get(), "every request is answered once, unless cancelled");

        PoolStats s = pool.stats();
        assertEquals(0, s.active(), "every request finished");
        assertEquals(0, s.connecting());
        assertEquals(0, s.pending());
        assertEquals(s.idle(), s.open(), "nothing is left closing: open == idle + active + connecting");
        assertTrue(s.idle() <= 3, "maxIdleTotal holds: " + s.idle());
        assertEquals(s.opened() - s.closed(), s.open());
        assertEquals(s.closed(), s.closedByReason().values().stream().mapToLong(Long::longValue).sum());
        assertEquals(handedConnections.get(), s.reused(), "reused counts exactly the connections handed to requests");
        for (RefuseReason r : RefuseReason.values()) {
            assertEquals(refused.get(r.ordinal()), s.refused(r), r.name());
        }
        assertEquals(s.refusedTotal(), s.closedBy(CloseReason.REFUSED));
        assertTrue(pooled.get() > 0 && handedOff.get() > 0 && exhausted.get() > 0 && connectFailures.get() > 0
                        && s.closedBy(CloseReason.EVICTED) > 0 && s.closedBy(CloseReason.IDLE_TIMEOUT) > 0,
                "the run exercised every path: pooled " + pooled + ", handed off " + handedOff + ", exhausted " + exhausted
                        + ", connect failures " + connectFailures + ", " + s);

        for (Map.Entry<FakeTransport, PooledConnection<FakeTransport>> e : byTransport.entrySet()) {
            ConnState state = pool.stateOf(e.getValue());
            if (state == ConnState.CLOSED) {
                assertEquals(1, e.getKey().closeCalls(), "closed exactly once by its one owner: " + e.getValue());
            } else {
                assertEquals(ConnState.IDLE, state);
                assertEquals(0, e.getKey().closeCalls());
            }
        }

        pool.close();
        PoolStats end = pool.stats();
        assertEquals(0, end.open());
        assertEquals(end.opened(), end.closed());
        assertEquals(0, pool.hostCountForTesting());
        assertEquals(List.of(), new ArrayList<>(errors));
    }

    private void runSteps() {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < STEPS_PER_THREAD; i++) {
            int dice = rnd.nextInt(1000);
            PooledConnection<FakeTransport> c;
            if (dice < 450 && (c = inFlight.poll()) != null) {
                use(c);
            } else if (dice < 990) {
                StressWaiter w = new StressWaiter(KEYS[rnd.nextInt(KEYS.length)]);
                acquires.incrementAndGet();
                pool.acquire(w);
                if (dice % 10 == 0 && pool.cancel(w)) { // a timeout fired while it waited
                    w.cancelled.set(true);
                    cancelled.incrementAndGet();
                }
            } else if (dice < 995) {
                pool.closeIdle();
            } else {
                clock.advance(IDLE_TIMEOUT); // the next acquires find expired idle connections
            }
        }
    }

    /** Finishes every request in flight, including those handed connections meanwhile. */
    private void drainInFlight() {
        PooledConnection<FakeTransport> c;
        while ((c = inFlight.poll()) != null) {
            use(c);
        }
    }

    /** Finishes one request: aborts it, or offers its connection back as reusable or not. */
    private void use(PooledConnection<FakeTransport> c) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int dice = rnd.nextInt(100);
        if (dice < 5) {
            if (pool.markClosing(c, CloseReason.ABORTED)) {
                c.transport().close();
                pool.closed(c, CloseReason.ABORTED);
            } else {
                errors.add(new AssertionError("an active connection could not be marked closing: " + c));
            }
            return;
        }
        boolean reusable = dice < 8 || dice >= 15;
        if (dice < 8) {
            c.transport().closeByPeer(); // the server closed it as the response ended
        }
        OfferVerdict verdict = pool.offer(c, reusable);
        switch (verdict.outcome()) {
            case POOLED -> {
                pooled.incrementAndGet();
                if (rnd.nextInt(20) == 0) {
                    pool.expireIfIdle(c); // the idle timer, racing with whoever takes it
                }
            }
            case HANDED_OFF -> handedOff.incrementAndGet();
            case REFUSED -> {
                refused.incrementAndGet(verdict.refuseReason().ordinal());
                c.transport().close();
                pool.closed(c, CloseReason.PEER_CLOSED);
            }
        }
    }

    private final class StressWaiter extends Waiter<FakeTransport> {
        final AtomicBoolean answeredOnce = new AtomicBoolean();
        final AtomicBoolean cancelled = new AtomicBoolean();

        StressWaiter(PoolKey key) {
            super(key);
        }

        private boolean answer() {
            if (cancelled.get()) {
                errors.add(new AssertionError("answered after a successful cancel"));
            }
            if (!answeredOnce.compareAndSet(false, true)) {
                errors.add(new AssertionError("answered twice"));
                return false;
            }
            answered.incrementAndGet();
            return true;
        }

        @Override
        protected void onConnection(PooledConnection<FakeTransport> connection) {
            if (answer()) {
                handedConnections.incrementAndGet();
                inFlight.add(connection);
            }
        }

        @Override
        protected void onConnectPermit(PooledConnection<FakeTransport> slot) {
            if (!answer()) {
                return;
            }
            if (ThreadLocalRandom.current().nextInt(20) == 0) {
                connectFailures.incrementAndGet();
                pool.closed(slot, CloseReason.PEER_CLOSED);
                return;
            }
            FakeTransport t = new FakeTransport();
            byTransport.put(t, slot);
            if (pool.connected(slot, t)) {
                inFlight.add(slot);
            } else {
                errors.add(new AssertionError("connected() refused while the pool is open"));
            }
        }

        @Override
        protected void onFailure(IOException cause) {
            if (!answer()) {
                return;
            }
            if (cause instanceof PoolExhaustedException) {
                exhausted.incrementAndGet();
            } else {
                errors.add(cause);
            }
        }
    }
}
