package io.keepwell.pool;

import io.keepwell.pool.testing.FakeTransport;
import io.keepwell.pool.testing.FakeTransportHooks;
import io.keepwell.pool.testing.ManualClock;
import io.keepwell.pool.testing.RecordingPoolListener;
import io.keepwell.pool.testing.RecordingWaiter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static io.keepwell.pool.testing.RecordingWaiter.Callback.CONNECTION;
import static io.keepwell.pool.testing.RecordingWaiter.Callback.CONNECT_PERMIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Listeners added to a running pool ({@link ConnectionPool#addListener}) and the idle time a lease reports. */
class ConnectionPoolListenersTest {

    private static final PoolKey KEY = new PoolKey("http", "a.example", 80);

    private final ManualClock clock = new ManualClock();
    private final RecordingPoolListener first = new RecordingPoolListener();
    private final ConnectionPool<FakeTransport> pool = new ConnectionPool<>(PoolConfig.defaults(), clock, first, new FakeTransportHooks());

    private PooledConnection<FakeTransport> connect() {
        RecordingWaiter w = new RecordingWaiter(KEY);
        pool.acquire(w);
        assertEquals(CONNECT_PERMIT, w.onlyCall());
        assertTrue(pool.connected(w.connection(), new FakeTransport()));
        return w.connection();
    }

    @Test
    void listenersAddedLaterHearEveryEventFromThenOnInOrder() {
        PooledConnection<FakeTransport> before = connect();
        RecordingPoolListener second = new RecordingPoolListener();
        RecordingPoolListener third = new RecordingPoolListener();
        pool.addListener(PoolListener.NOOP); // ignored
        pool.addListener(second);
        pool.addListener(third);
        assertTrue(second.events().isEmpty(), "nothing from before it was added");

        assertSame(OfferVerdict.POOLED, pool.offer(before, true));
        RecordingWaiter again = new RecordingWaiter(KEY);
        pool.acquire(again);
        assertEquals(CONNECTION, again.onlyCall());
        pool.recordRetry(KEY, "GET", 1, new IOException("stale"));
        assertTrue(pool.markClosing(again.connection(), CloseReason.ABORTED));
        again.connection().transport().close();
        pool.closed(again.connection(), CloseReason.PEER_CLOSED);

        List<RecordingPoolListener.Type> heard = List.of(RecordingPoolListener.Type.RELEASED, RecordingPoolListener.Type.ACQUIRED,
                RecordingPoolListener.Type.RETRIED, RecordingPoolListener.Type.CLOSED);
        assertEquals(heard, second.events().stream().map(RecordingPoolListener.Event::type).toList());
        assertEquals(heard, third.events().stream().map(RecordingPoolListener.Event::type).toList());
        assertEquals(second.events().toString(), third.events().toString());
        assertEquals(RecordingPoolListener.Type.OPENED, first.events().get(0).type(), "the first listener heard the open");
        assertEquals(first.events().subList(first.events().size() - 4, first.events().size()).toString(), second.events().toString());

        PooledConnection<FakeTransport> fresh = connect();
        assertEquals(RecordingPoolListener.Type.OPENED, third.eventsOf(fresh).get(0).type());
    }

    @Test
    void aLeaseFromTheIdleListSaysHowLongItWasIdleAndOthersSayNone() {
        PooledConnection<FakeTransport> c = connect();
        assertEquals(-1, c.idleNanosBeforeLease(), "a new connection was never idle");
        assertSame(OfferVerdict.POOLED, pool.offer(c, true));
        clock.advance(Duration.ofMillis(250));
        RecordingWaiter w = new RecordingWaiter(KEY);
        pool.acquire(w);
        assertEquals(CONNECTION, w.onlyCall());
        assertEquals(Duration.ofMillis(250).toNanos(), w.connection().idleNanosBeforeLease());

    }

    @Test
    void aConnectionHandedStraightToAWaiterWasNeverIdle() {
        ConnectionPool<FakeTransport> capped = new ConnectionPool<>(PoolConfig.builder().maxConnectionsPerHost(1).build(), clock,
                PoolListener.NOOP, new FakeTransportHooks());
        RecordingWaiter owner = new RecordingWaiter(KEY);
        capped.acquire(owner);
        assertTrue(capped.connected(owner.connection(), new FakeTransport()));
        RecordingWaiter waiting = new RecordingWaiter(KEY);
        capped.acquire(waiting);
        assertTrue(waiting.calls().isEmpty(), "at the cap: it waits");
        clock.advance(Duration.ofMillis(250));
        assertSame(OfferVerdict.HANDED_OFF, capped.offer(owner.connection(), true));
        assertEquals(CONNECTION, waiting.onlyCall());
        assertEquals(-1, waiting.connection().idleNanosBeforeLease());
    }
}
