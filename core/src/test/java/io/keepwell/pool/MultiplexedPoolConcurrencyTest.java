package io.keepwell.pool;

import io.keepwell.pool.testing.FakeTransport;
import io.keepwell.pool.testing.FakeTransportHooks;
import io.keepwell.pool.testing.ManualClock;
import org.junit.jupiter.api.RepeatedTest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several threads acquire stream slots on multiplexed hosts, release them, retire connections
 * (GOAWAY), change their limits and close them as the peer, the way event loops would; connects
 * complete (multiplexed, as HTTP/1.1, or failed) in the permit's callback. Once every slot is
 * released and every lease offered back, nothing may be active, connecting or waiting, no stream
 * slot may be counted, and every waiter was answered exactly once or cancelled.
 */
class MultiplexedPoolConcurrencyTest {

    private static final PoolKey[] KEYS = {
            new PoolKey("https", "a.example", 443),
            new PoolKey("https", "b.example", 443),
    };
    private static final int THREADS = 3;
    private static final int STEPS_PER_THREAD = 2_000;

    private final Map<FakeTransport, PooledConnection<FakeTransport>> byTransport = new ConcurrentHashMap<>();
    private final FakeTransportHooks hooks = new FakeTransportHooks(t -> pool().closed(byTransport.get(t), CloseReason.PEER_CLOSED))
            .multiplexing(k -> true);
    private final ConnectionPool<FakeTransport> pool = new ConnectionPool<>(
            PoolConfig.builder().maxConnectionsPerHost(3).maxIdlePerHost(1).maxIdleTotal(1).maxPendingAcquires(4).build(),
            new ManualClock(), PoolListener.NOOP, hooks);
    private final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    private final Queue<PooledConnection<FakeTransport>> streams = new ConcurrentLinkedQueue<>(); // one entry per slot held
    private final Queue<PooledConnection<FakeTransport>> leases = new ConcurrentLinkedQueue<>();  // HTTP/1.1 leases held
    private final List<Waiter<FakeTransport>> waiters = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<Waiter<FakeTransport>, AtomicInteger> answers = new ConcurrentHashMap<>();
    private final Queue<Waiter<FakeTransport>> cancelled = new ConcurrentLinkedQueue<>();

    private ConnectionPool<FakeTransport> pool() {
        return pool;
    }

    @RepeatedTest(4)
    void streamCountsAddUpUnderConcurrentAcquireReleaseRetireAndClose() throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < STEPS_PER_THREAD; i++) {
                        step(ThreadLocalRandom.current());
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "mux-" + t);
            threads.add(thread);
            thread.start();
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertTrue(errors.isEmpty(), () -> "errors: " + errors);

        // Drain: give every slot and lease back; the hand-offs this causes are drained in turn.
        PooledConnection<FakeTransport> c;
        boolean more = true;
        while (more) {
            more = false;
            while ((c = streams.poll()) != null) {
                release(c);
                more = true;
            }
            while ((c = leases.poll()) != null) {
                offer(c);
                more = true;
            }
        }
        assertTrue(errors.isEmpty(), () -> "errors: " + errors);
        PoolStats s = pool.stats();
        assertEquals(0, s.streams(), "stream slots counted with none held: " + s);
        assertEquals(0, s.active(), "active: " + s);
        assertEquals(0, s.connecting(), "connecting: " + s);
        assertEquals(0, s.pending(), "pending: " + s);
        assertEquals(s.idle(), s.open(), "only idle connections stay open: " + s);
        for (PoolKey k : KEYS) {
            assertEquals(0, pool.stats(k).streams());
        }
        assertTrue(s.reused() > 0 && s.refusedGoAway() > 0 && s.closedBy(CloseReason.GOAWAY) > 0,
                "the run shared streams and drained retired connections: " + s);
        for (Waiter<FakeTransport> w : waiters) {
            int n = answers.get(w).get();
            assertTrue(n == 1 || (n == 0 && cancelled.contains(w)), "answered " + n + " times, cancelled " + cancelled.contains(w));
        }
    }

    private void step(ThreadLocalRandom r) {
        int dice = r.nextInt(100);
        if (dice < 40) {
            acquire(KEYS[r.nextInt(KEYS.length)], r.nextInt(10) == 0);
        } else if (dice < 80) {
            PooledConnection<FakeTransport> c = streams.poll();
            if (c != null) release(c);
            PooledConnection<FakeTransport> l = leases.poll();
            if (l != null) offer(l);
        } else if (dice < 86) {
            PooledConnection<FakeTransport> c = streams.peek();
            if (c != null && pool.retire(c, CloseReason.GOAWAY)) {
                c.transport().close();
                pool.closed(c, CloseReason.PEER_CLOSED);
            }
        } else if (dice < 92) {
            PooledConnection<FakeTransport> c = streams.peek();
            if (c != null) pool.maxStreamsChanged(c, r.nextInt(5));
        } else {
            PooledConnection<FakeTransport> c = streams.peek();
            if (c != null && c.transport().isOpen()) {
                // the peer closes; the transport reports it once, whoever wins the close
                if (pool.markClosing(c, CloseReason.PEER_CLOSED)) {
                    c.transport().close();
                    pool.closed(c, CloseReason.PEER_CLOSED);
                }
            }
        }
    }

    private void acquire(PoolKey key, boolean cancel) {
        Waiter<FakeTransport> w = new Waiter<>(key) {
            @Override
            protected void onConnection(PooledConnection<FakeTransport> c) {
                answered(this);
                (c.isMultiplexed() ? streams : leases).add(c);
            }

            @Override
            protected void onConnectPermit(PooledConnection<FakeTransport> slot) {
                answered(this);
                int how = ThreadLocalRandom.current().nextInt(10);
                if (how == 0) {
                    pool.connectFailed(slot, new IOException("refused"));
                    pool.closed(slot, CloseReason.PEER_CLOSED);
                    return;
                }
                FakeTransport t = new FakeTransport();
                byTransport.put(t, slot);
                boolean open = how == 1 ? pool.connected(slot, t) : pool.connectedMultiplexed(slot, t, 1 + ThreadLocalRandom.current().nextInt(4));
                if (!open) {
                    t.close();
                    pool.closed(slot, CloseReason.PEER_CLOSED);
                } else {
                    (slot.isMultiplexed() ? streams : leases).add(slot);
                }
            }

            @Override
            protected void onFailure(IOException cause) {
                answered(this);
            }
        };
        answers.put(w, new AtomicInteger());
        waiters.add(w);
        pool.acquire(w);
        if (cancel && pool.cancel(w)) {
            cancelled.add(w);
        }
    }

    private void answered(Waiter<FakeTransport> w) {
        if (pool.lockHeldByCurrentThread()) {
            errors.add(new AssertionError("a waiter callback ran under the pool lock"));
        }
        answers.get(w).incrementAndGet();
    }

    private void release(PooledConnection<FakeTransport> c) {
        OfferVerdict v = pool.releaseStream(c);
        if (!v.isAccepted()) {
            c.transport().close();
            pool.closed(c, CloseReason.PEER_CLOSED);
        }
    }

    private void offer(PooledConnection<FakeTransport> c) {
        OfferVerdict v = pool.offer(c, true);
        if (!v.isAccepted() && c.transport().isOpen()) {
            c.transport().close();
            pool.closed(c, CloseReason.PEER_CLOSED);
        }
    }
}
