package io.keepwell.pool;

import io.keepwell.http.ClientClosedException;
import io.keepwell.pool.testing.FakeTransport;
import io.keepwell.pool.testing.FakeTransportHooks;
import io.keepwell.pool.testing.ManualClock;
import io.keepwell.pool.testing.RecordingPoolListener;
import io.keepwell.pool.testing.RecordingPoolListener.Event;
import io.keepwell.pool.testing.RecordingWaiter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.keepwell.pool.testing.RecordingPoolListener.Type.ACQUIRED;
import static io.keepwell.pool.testing.RecordingPoolListener.Type.CLOSED;
import static io.keepwell.pool.testing.RecordingPoolListener.Type.OPENED;
import static io.keepwell.pool.testing.RecordingPoolListener.Type.RELEASED;
import static io.keepwell.pool.testing.RecordingWaiter.Callback.CONNECTION;
import static io.keepwell.pool.testing.RecordingWaiter.Callback.CONNECT_PERMIT;
import static io.keepwell.pool.testing.RecordingWaiter.Callback.FAILURE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pool's multiplexed (HTTP/2) connections: one coalescing connect per host, stream slots taken
 * and released once, GOAWAY and lifetime drains, concurrency changes, and the idle rules a
 * multiplexed connection shares with HTTP/1.1. Single-threaded with a {@link ManualClock}; the
 * test plays the transport (connects slots, closes refused connections, reports every close).
 * Host {@code A} may multiplex, host {@code H1} may not.
 */
class MultiplexedPoolTest {

    private static final PoolKey A = new PoolKey("https", "a.example", 443);
    private static final PoolKey B = new PoolKey("https", "b.example", 443);
    private static final PoolKey H1 = new PoolKey("http", "h1.example", 80);

    private final ManualClock clock = new ManualClock();
    private final FakeTransportHooks hooks = new FakeTransportHooks().multiplexing(k -> !k.equals(H1));
    private final RecordingPoolListener listener = new RecordingPoolListener();
    private ConnectionPool<FakeTransport> pool;

    // ---------------------------------------------------------------------------------------------
    // The coalescing connect: a burst opens one connection, which serves the burst once it is up.

    @Test
    void aBurstOf200ToAFreshMultiplexableHostOpensExactlyOneConnect() {
        newPool(PoolConfig.builder()); // no per-host cap: only the coalescing holds the burst back

        List<RecordingWaiter> burst = acquireAll(A, 200);

        assertEquals(List.of(CONNECT_PERMIT), burst.get(0).calls());
        for (RecordingWaiter w : burst.subList(1, 200)) {
            assertFalse(w.answered(), "waits for the connect's settings");
        }
        PoolStats s = pool.stats();
        assertEquals(1, s.open());
        assertEquals(1, s.connecting());
        assertEquals(199, s.pending());
        assertEquals(0, s.streams());
        assertEquals(PoolStats.current(1, 0, 0, 1, 199, 0), pool.stats(A));
    }

    @Test
    void settingsServeTheQueueUpToMaxStreamsOldestFirstAndReleasesHandSlotsOnInOrder() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(1));
        List<RecordingWaiter> burst = acquireAll(A, 200);
        PooledConnection<FakeTransport> c = burst.get(0).connection();
        listener.clear();

        assertTrue(pool.connectedMultiplexed(c, new FakeTransport(), 100));

        for (RecordingWaiter w : burst.subList(1, 100)) {
            assertEquals(List.of(CONNECTION), w.calls());
            assertSame(c, w.connection());
        }
        for (RecordingWaiter w : burst.subList(100, 200)) {
            assertFalse(w.answered());
        }
        assertEquals(PoolStats.current(1, 0, 1, 0, 100, 100), pool.stats(A));
        assertEquals(100, pool.stats().streams());
        assertEquals(100, pool.stats().pending());
        assertEquals(99, pool.stats().reused(), "every stream after the first reuses the connection");
        assertEquals(List.of(new Event(OPENED, c, A, null)), listener.events(OPENED));
        assertEquals(100, c.lease(), "each stream is a lease of its own");
        List<Event> acquired = listener.events(ACQUIRED);
        assertEquals(100, acquired.size());
        assertEquals(new Event(ACQUIRED, c, A, false), acquired.get(0));
        assertEquals(new Event(ACQUIRED, c, A, true), acquired.get(99));

        for (int i = 0; i < 5; i++) {
            assertSame(OfferVerdict.HANDED_OFF, pool.releaseStream(c));
            for (int j = 100; j < 200; j++) {
                assertEquals(j <= 100 + i, burst.get(j).answered(), "waiter " + j + " after " + (i + 1) + " releases");
            }
            assertEquals(100, pool.stats().streams(), "a released slot is taken again at once");
        }
        assertEquals(95, pool.stats().pending());
        assertEquals(OfferVerdict.HANDED_OFF, last(listener.events(RELEASED)).detail());
    }

    @Test
    void withRoomAFullConnectionStartsOneMoreCoalescingConnectAndNoMore() {
        newPool(PoolConfig.builder());
        List<RecordingWaiter> burst = acquireAll(A, 200);
        PooledConnection<FakeTransport> first = burst.get(0).connection();

        assertTrue(pool.connectedMultiplexed(first, new FakeTransport(), 100));

        assertEquals(List.of(CONNECT_PERMIT), burst.get(100).calls(), "the 101st waiter opens the second connection");
        PooledConnection<FakeTransport> second = burst.get(100).connection();
        assertNotSame(first, second);
        assertEquals(List.of(1L, 2L), List.of(first.id(), second.id()), "ids in order of creation, from 1");
        for (RecordingWaiter w : burst.subList(101, 200)) {
            assertFalse(w.answered());
        }
        RecordingWaiter late = acquire(A);
        assertFalse(late.answered(), "one coalescing connect at a time");
        assertEquals(PoolStats.current(2, 0, 1, 1, 100, 100), pool.stats(A));

        assertTrue(pool.connectedMultiplexed(second, new FakeTransport(), 100));

        for (RecordingWaiter w : burst.subList(101, 200)) {
            assertSame(second, w.connection());
        }
        assertEquals(List.of(CONNECT_PERMIT), late.calls(), "the second is full as well: a third connect");
        assertEquals(PoolStats.current(3, 0, 2, 1, 0, 200), pool.stats(A));
        assertEquals(200, pool.stats().streams());
    }

    @Test
    void withACapOfTwoTheSecondConnectionOpensOnlyOnceTheFirstIsUpAndFull() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(2));
        List<RecordingWaiter> w = acquireAll(A, 5);
        PooledConnection<FakeTransport> first = w.get(0).connection();
        assertEquals(1, pool.stats(A).open(), "room for two, but the first connect may come up multiplexed");

        assertTrue(pool.connectedMultiplexed(first, new FakeTransport(), 2));

        assertSame(first, w.get(1).connection());
        assertEquals(List.of(CONNECTION), w.get(1).calls());
        assertEquals(List.of(CONNECT_PERMIT), w.get(2).calls(), "the first is full: the second opens");
        assertFalse(w.get(3).answered());
        assertFalse(w.get(4).answered());
        PooledConnection<FakeTransport> second = w.get(2).connection();

        assertTrue(pool.connectedMultiplexed(second, new FakeTransport(), 2));

        assertSame(second, w.get(3).connection());
        assertFalse(w.get(4).answered(), "both full and the host at its cap");
        assertEquals(PoolStats.current(2, 0, 2, 0, 1, 4), pool.stats(A));

        assertSame(OfferVerdict.HANDED_OFF, pool.releaseStream(first));
        assertSame(first, w.get(4).connection());
        assertEquals(4, pool.stats().streams());
        assertEquals(0, pool.stats().pending());
    }

    @Test
    void theCoalescingConnectFailingFailsEveryWaiterOnItWithTheSameExceptionAndLeavesNothingOpen() {
        newPool(PoolConfig.builder());
        List<RecordingWaiter> w = acquireAll(A, 10);
        PooledConnection<FakeTransport> slot = w.get(0).connection();
        RecordingWaiter cancelled = w.get(5);
        assertTrue(pool.cancel(cancelled));
        IOException cause = new ConnectException("connection refused");

        pool.connectFailed(slot, cause);

        for (RecordingWaiter x : w.subList(1, 10)) {
            if (x == cancelled) {
                assertEquals(List.of(), x.calls());
            } else {
                assertEquals(List.of(FAILURE), x.calls());
                assertSame(cause, x.failure(), "the connect's own exception, not a copy");
            }
        }
        assertEquals(List.of(CONNECT_PERMIT), w.get(0).calls(), "the permit holder hears of its connect from the transport");
        assertEquals(0, pool.stats().pending());

        pool.closed(slot, CloseReason.PEER_CLOSED);

        assertEquals(PoolStats.current(0, 0, 0, 0, 0, 0),
                PoolStats.current(pool.stats().open(), pool.stats().idle(), pool.stats().active(),
                        pool.stats().connecting(), pool.stats().pending(), pool.stats().streams()));
        assertEquals(0, pool.hostCountForTesting(), "nothing left of the host");
        assertEquals(0, pool.stats().closed(), "a failed connect is not a close");
        assertEquals(List.of(), listener.events(CLOSED));
    }

    @Test
    void aConnectFailureFailsOnlyTheWaitersThatArrivedWhileItWasInFlight() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(2));
        List<RecordingWaiter> w = acquireAll(A, 3);
        PooledConnection<FakeTransport> first = w.get(0).connection();
        assertTrue(pool.connectedMultiplexed(first, new FakeTransport(), 1));
        assertEquals(List.of(CONNECT_PERMIT), w.get(1).calls());
        PooledConnection<FakeTransport> second = w.get(1).connection();
        assertFalse(w.get(2).answered(), "waited on the first connect, which came up full");
        RecordingWaiter onSecond = acquire(A);
        IOException cause = new IOException("TLS handshake failed");

        pool.connectFailed(second, cause);
        pool.closed(second, CloseReason.PEER_CLOSED);

        assertSame(cause, onSecond.failure(), "arrived while the second connect was in flight");
        assertEquals(List.of(CONNECT_PERMIT), w.get(2).calls(), "the slot the failed connect held goes to the older waiter");
    }

    @Test
    void connectFailedOnAConnectNobodyCoalescedOnChangesNothing() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(1));
        RecordingWaiter first = acquire(H1);
        RecordingWaiter queued = acquire(H1);
        assertFalse(queued.answered(), "H1 is at its cap");

        pool.connectFailed(first.connection(), new IOException("refused"));

        assertFalse(queued.answered(), "it waits for the slot, not for this connect");
        assertEquals(1, pool.stats().pending());
        pool.closed(first.connection(), CloseReason.PEER_CLOSED);
        assertEquals(List.of(CONNECT_PERMIT), queued.calls());
    }

    @Test
    void aQueueOfMaxPendingAcquiresBoundsTheWaitersOnACoalescingConnect() {
        newPool(PoolConfig.builder().maxPendingAcquires(3));
        List<RecordingWaiter> w = acquireAll(A, 5);

        assertEquals(List.of(CONNECT_PERMIT), w.get(0).calls());
        for (int i = 1; i <= 3; i++) {
            assertFalse(w.get(i).answered());
        }
        assertEquals(List.of(FAILURE), w.get(4).calls());
        assertInstanceOf(PoolExhaustedException.class, w.get(4).failure());
        assertEquals(3, pool.stats().pending());
    }

    @Test
    void aWaiterCancelledWhileTheConnectIsInFlightGetsNoStream() {
        newPool(PoolConfig.builder());
        List<RecordingWaiter> w = acquireAll(A, 4);
        assertTrue(pool.cancel(w.get(2)));
        assertEquals(2, pool.stats().pending());

        assertTrue(pool.connectedMultiplexed(w.get(0).connection(), new FakeTransport(), 10));

        assertEquals(List.of(), w.get(2).calls());
        assertEquals(List.of(CONNECTION), w.get(1).calls());
        assertEquals(List.of(CONNECTION), w.get(3).calls());
        assertEquals(3, pool.stats().streams());
        assertFalse(pool.cancel(w.get(1)), "already answered");
    }

    @Test
    void aCoalescingConnectClosedWithoutConnectFailedPassesItsWaitersOnToANewConnect() {
        newPool(PoolConfig.builder());
        List<RecordingWaiter> w = acquireAll(A, 3);

        pool.closed(w.get(0).connection(), CloseReason.ABORTED);

        assertEquals(List.of(CONNECT_PERMIT), w.get(1).calls(), "the next waiter opens the next connect");
        assertFalse(w.get(2).answered(), "and the one after waits on that one");
        assertEquals(1, pool.stats().connecting());
        assertTrue(pool.connectedMultiplexed(w.get(1).connection(), new FakeTransport(), 10));
        assertSame(w.get(1).connection(), w.get(2).connection());
    }

    @Test
    void afterConnectFailedTheFailedConnectIsNoLongerTheOneToWaitOn() {
        newPool(PoolConfig.builder());
        List<RecordingWaiter> w = acquireAll(A, 2);
        IOException cause = new IOException("refused");
        pool.connectFailed(w.get(0).connection(), cause);
        assertSame(cause, w.get(1).failure());

        RecordingWaiter next = acquire(A); // before the failed connect's close is reported

        assertEquals(List.of(CONNECT_PERMIT), next.calls());
        pool.connectFailed(w.get(0).connection(), new IOException("reported twice"));
        assertEquals(List.of(FAILURE), w.get(1).calls());
        pool.closed(w.get(0).connection(), CloseReason.PEER_CLOSED);
        assertEquals(1, pool.stats().connecting());
    }

    @Test
    void aCoalescingConnectMarkedClosingIsNoLongerTheOneToWaitOn() {
        newPool(PoolConfig.builder());
        RecordingWaiter first = acquire(A);

        assertTrue(pool.markClosing(first.connection(), CloseReason.TIMEOUT));

        assertEquals(List.of(CONNECT_PERMIT), acquire(A).calls());
    }

    @Test
    void anExpiredConnectionIsSkippedForTheNextOneWithAFreeSlot() {
        newPool(PoolConfig.builder().maxLifetime(Duration.ofSeconds(60)).maxConnectionsPerHost(2));
        PooledConnection<FakeTransport> old = connectMultiplexed(A, 1);
        clock.advance(Duration.ofSeconds(30));
        PooledConnection<FakeTransport> young = connectMultiplexed(A, 2);
        clock.advance(Duration.ofSeconds(30));

        assertSame(young, takeStream(A), "old is past its lifetime and drains; young, after it, has a free slot");

        assertEquals(OfferVerdict.refused(RefuseReason.LIFETIME_EXPIRED), pool.releaseStream(old));
    }

    @Test
    void anAlpnFallbackGivesTheWaitersOnTheConnectPermitsUpToTheCap() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(4));
        List<RecordingWaiter> w = acquireAll(A, 6);
        PooledConnection<FakeTransport> slot = w.get(0).connection();

        assertTrue(pool.connected(slot, new FakeTransport())); // ALPN chose http/1.1

        assertFalse(slot.isMultiplexed());
        for (int i = 1; i <= 3; i++) {
            assertEquals(List.of(CONNECT_PERMIT), w.get(i).calls(), "waiter " + i + " opens its own, as over HTTP/1.1");
        }
        assertFalse(w.get(4).answered(), "the host is at its cap of 4");
        assertFalse(w.get(5).answered());
        assertEquals(PoolStats.current(4, 0, 1, 3, 2, 0), pool.stats(A));
        assertSame(OfferVerdict.HANDED_OFF, pool.offer(slot, true), "an HTTP/1.1 connection is offered, not released as a stream");
        assertEquals(List.of(CONNECTION), w.get(4).calls());
    }

    @Test
    void anAlpnFallbackWithoutACapGivesEveryWaiterAPermit() {
        newPool(PoolConfig.builder());
        List<RecordingWaiter> w = acquireAll(A, 10);

        assertTrue(pool.connected(w.get(0).connection(), new FakeTransport()));

        for (RecordingWaiter x : w) {
            assertEquals(List.of(CONNECT_PERMIT), x.calls());
        }
        assertEquals(0, pool.stats().pending());
        assertEquals(9, pool.stats().connecting());
    }

    @Test
    void aHostThatMayNotMultiplexOpensAConnectionPerRequestAsBefore() {
        newPool(PoolConfig.builder());
        List<RecordingWaiter> w = acquireAll(H1, 20);
        for (RecordingWaiter x : w) {
            assertEquals(List.of(CONNECT_PERMIT), x.calls());
        }
        assertEquals(20, pool.stats(H1).connecting());
    }

    // ---------------------------------------------------------------------------------------------
    // GOAWAY and retire.

    @Test
    void goAwayWithStreamsOpenTakesNoNewStreamAndTheLastReleaseRefusesIt() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(1));
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 10);
        takeStream(A);
        takeStream(A);
        assertEquals(3, pool.stats().streams());

        assertFalse(pool.retire(c, CloseReason.GOAWAY), "streams are open: it drains");

        RecordingWaiter afterGoAway = acquire(A);
        assertFalse(afterGoAway.answered(), "no new stream on a connection that received GOAWAY");
        assertEquals(ConnState.ACTIVE, pool.stateOf(c));
        assertFalse(pool.retire(c, CloseReason.GOAWAY), "a second GOAWAY changes nothing");
        assertSame(OfferVerdict.KEPT, pool.releaseStream(c));
        assertFalse(afterGoAway.answered(), "a freed slot on a draining connection serves nobody");
        assertSame(OfferVerdict.KEPT, pool.releaseStream(c));
        assertEquals(1, pool.stats().streams());

        OfferVerdict last = pool.releaseStream(c);

        assertEquals(OfferVerdict.refused(RefuseReason.GOAWAY_RECEIVED), last);
        assertEquals(ConnState.CLOSING, pool.stateOf(c));
        assertEquals(List.of(), hooks.closed(), "the releasing caller closes it");
        PoolStats s = pool.stats();
        assertEquals(1, s.refusedGoAway());
        assertEquals(1, s.refusedTotal());
        assertEquals(0, s.streams());
        assertEquals(1, s.open(), "open until its close is reported");
        assertFalse(pool.retire(c, CloseReason.GOAWAY), "already closing");

        c.transport().close();
        pool.closed(c, CloseReason.PEER_CLOSED);

        s = pool.stats();
        assertEquals(1, s.closedBy(CloseReason.GOAWAY));
        assertEquals(1, s.closed());
        assertEquals(0, s.closedBy(CloseReason.PEER_CLOSED));
        assertEquals(List.of(new Event(CLOSED, c, A, CloseReason.GOAWAY)), listener.events(CLOSED));
        assertEquals(List.of(CONNECT_PERMIT), afterGoAway.calls(), "the closed connection's slot goes to the waiter");
        List<Object> verdicts = listener.eventsOf(c).stream().filter(e -> e.type() == RELEASED).map(Event::detail).toList();
        assertEquals(List.of(OfferVerdict.KEPT, OfferVerdict.KEPT, last), verdicts);
    }

    /**
     * A server that shuts down sends GOAWAY and then closes the socket, often before the client has
     * released the streams it cut. retire's reason is "counted when it closes": the close counts as
     * GOAWAY, not as the transport's PEER_CLOSED guess.
     */
    @Test
    void aRetiredConnectionThePeerClosesBeforeItsLastStreamEndsCountsItsRetireReason() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 10);
        takeStream(A);
        assertFalse(pool.retire(c, CloseReason.GOAWAY));
        c.transport().closeByPeer();

        pool.closed(c, CloseReason.PEER_CLOSED);

        assertEquals(1, pool.stats().closedBy(CloseReason.GOAWAY));
        assertEquals(0, pool.stats().closedBy(CloseReason.PEER_CLOSED));
        assertEquals(List.of(new Event(CLOSED, c, A, CloseReason.GOAWAY)), listener.events(CLOSED));
        assertSame(OfferVerdict.KEPT, pool.releaseStream(c));
        assertSame(OfferVerdict.KEPT, pool.releaseStream(c));
        assertEquals(0, pool.stats().refusedTotal(), "closed already: nothing to refuse");
        assertEquals(1, pool.stats().closed());
    }

    @Test
    void goAwayWithRoomLetsTheNextRequestOpenANewConnection() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 10);
        assertFalse(pool.retire(c, CloseReason.GOAWAY));

        RecordingWaiter next = acquire(A);

        assertEquals(List.of(CONNECT_PERMIT), next.calls());
        assertNotSame(c, next.connection());
    }

    @Test
    void retireAsksTheCallerToCloseAConnectionWithNoStreamToDrain() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> idle = connectMultiplexed(A, 10);
        assertSame(OfferVerdict.POOLED, pool.releaseStream(idle));
        RecordingWaiter connecting = acquire(B);
        PooledConnection<FakeTransport> h1 = connectHttp1(H1);

        assertTrue(pool.retire(idle, CloseReason.GOAWAY));
        assertTrue(pool.retire(connecting.connection(), CloseReason.GOAWAY));
        assertTrue(pool.retire(h1, CloseReason.STREAMS_REFUSED));

        assertEquals(ConnState.CLOSING, pool.stateOf(idle));
        assertEquals(ConnState.CLOSING, pool.stateOf(connecting.connection()));
        assertEquals(ConnState.CLOSING, pool.stateOf(h1));
        assertEquals(0, pool.stats().idle());
        assertFalse(pool.retire(idle, CloseReason.GOAWAY), "already closing");
        RecordingWaiter next = acquire(A);
        assertEquals(List.of(CONNECT_PERMIT), next.calls(), "a retired idle connection is not leased");
        RecordingWaiter nextB = acquire(B);
        assertEquals(List.of(CONNECT_PERMIT), nextB.calls(), "a retired connect is no longer the one to wait on");

        idle.transport().close();
        pool.closed(idle, CloseReason.PEER_CLOSED);
        pool.closed(connecting.connection(), CloseReason.PEER_CLOSED);
        h1.transport().close();
        pool.closed(h1, CloseReason.PEER_CLOSED);
        assertFalse(pool.retire(idle, CloseReason.GOAWAY), "closed");
        assertEquals(1, pool.stats().closedBy(CloseReason.GOAWAY));
        assertEquals(1, pool.stats().closedBy(CloseReason.STREAMS_REFUSED));
        assertEquals(2, pool.stats().closed(), "the connect that never came up is no close");
    }

    @Test
    void aConnectionMarkedClosingWithStreamsOpenKeepsThemCountedUntilReleased() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 10);
        takeStream(A);

        assertTrue(pool.markClosing(c, CloseReason.PING_TIMEOUT));

        assertEquals(2, pool.stats().streams());
        assertEquals(List.of(CONNECT_PERMIT), acquire(A).calls(), "no new stream on a closing connection");
        assertSame(OfferVerdict.KEPT, pool.releaseStream(c), "someone else owns the close");
        assertSame(OfferVerdict.KEPT, pool.releaseStream(c));
        assertEquals(0, pool.stats().streams());
        assertEquals(0, pool.stats().refusedTotal());
        c.transport().close();
        pool.closed(c, CloseReason.PEER_CLOSED);
        assertEquals(1, pool.stats().closedBy(CloseReason.PING_TIMEOUT));
    }

    // ---------------------------------------------------------------------------------------------
    // SETTINGS_MAX_CONCURRENT_STREAMS changes.

    @Test
    void loweringTheLimitKeepsOpenStreamsAndTakesNewOnesOnlyBelowItAndRaisingItServesTheQueue() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(1));
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 10);
        for (int i = 1; i < 10; i++) {
            assertSame(c, takeStream(A));
        }

        pool.maxStreamsChanged(c, 2);

        assertEquals(10, pool.stats().streams(), "open streams stay");
        RecordingWaiter w1 = acquire(A);
        assertFalse(w1.answered());
        for (int open = 9; open >= 2; open--) {
            assertSame(OfferVerdict.KEPT, pool.releaseStream(c));
            assertEquals(open, pool.stats().streams());
            assertFalse(w1.answered(), open + " open, limit 2");
        }
        assertSame(OfferVerdict.HANDED_OFF, pool.releaseStream(c), "1 open: below the limit again");
        assertSame(c, w1.connection());
        assertEquals(2, pool.stats().streams());
        List<RecordingWaiter> queued = acquireAll(A, 9);
        for (RecordingWaiter w : queued) {
            assertFalse(w.answered());
        }

        pool.maxStreamsChanged(c, 10);

        for (RecordingWaiter w : queued.subList(0, 8)) {
            assertSame(c, w.connection());
        }
        assertFalse(queued.get(8).answered(), "10 open again");
        assertEquals(10, pool.stats().streams());
        assertEquals(1, pool.stats().pending());
    }

    @Test
    void loweringTheLimitOfAFullConnectionLetsAQueuedWaiterOpenAnotherWhenThereIsRoom() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(2));
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 3);
        takeStream(A);
        RecordingWaiter w = acquire(A);
        assertEquals(List.of(CONNECTION), w.calls(), "3 of 3");
        RecordingWaiter opens = acquire(A);
        assertEquals(List.of(CONNECT_PERMIT), opens.calls(), "c is full and the host has room");
        RecordingWaiter queued = acquire(A);
        assertFalse(queued.answered(), "waits on the coalescing connect");

        pool.maxStreamsChanged(c, 1);
        assertSame(OfferVerdict.KEPT, pool.releaseStream(c));

        assertFalse(queued.answered(), "2 open, limit 1");
        assertEquals(2, pool.stats().streams());
    }

    /**
     * A limit of 0 (the server takes no stream for now) with a request queued at the host's cap:
     * the last stream's release must not hand the queued request a stream beyond the limit. The
     * connection is of no use idle either, so it is refused and its close gives the waiter a
     * permit for a new connection.
     */
    @Test
    void aLimitOfZeroHandsNoStreamToAWaiterWhenTheLastStreamEnds() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(1));
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 1);
        pool.maxStreamsChanged(c, 0);
        RecordingWaiter w = acquire(A);
        assertFalse(w.answered());

        OfferVerdict verdict = pool.releaseStream(c);

        assertEquals(OfferVerdict.refused(RefuseReason.NOT_REUSABLE), verdict);
        assertEquals(0, pool.stats().streams(), "no stream may be taken at a limit of 0");
        assertFalse(w.answered());
        c.transport().close();
        pool.closed(c, CloseReason.PEER_CLOSED);
        assertEquals(List.of(CONNECT_PERMIT), w.calls());
    }

    @Test
    void aLimitOfZeroAtConnectCountsThePermitHoldersStreamAndNoOther() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 0);
        assertEquals(1, pool.stats().streams(), "the permit holder's stream is counted even at 0");

        RecordingWaiter w = acquire(A);

        assertEquals(List.of(CONNECT_PERMIT), w.calls());
        assertNotSame(c, w.connection());
        assertEquals(OfferVerdict.refused(RefuseReason.NOT_REUSABLE), pool.releaseStream(c));
    }

    /**
     * Found by the model test: a limit lowered to 0 while the connection is idle left it idle, and
     * the next acquire leased it with stream 1 of 0. It can serve nobody, so the pool drops it.
     */
    @Test
    void anIdleConnectionWhoseLimitDropsToZeroIsClosedNotLeased() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 5);
        assertSame(OfferVerdict.POOLED, pool.releaseStream(c));

        pool.maxStreamsChanged(c, 0);

        assertEquals(ConnState.CLOSING, pool.stateOf(c));
        assertEquals(List.of(c.transport()), hooks.closed());
        RecordingWaiter w = acquire(A);
        assertEquals(List.of(CONNECT_PERMIT), w.calls(), "not leased at a limit of 0");
        assertEquals(0, pool.stats().streams());
        pool.closed(c, CloseReason.PEER_CLOSED);
        assertEquals(1, pool.stats().closedBy(CloseReason.STREAMS_REFUSED));
    }

    @Test
    void anIdleConnectionWhoseLimitChangesToMoreThanZeroStaysIdle() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 5);
        assertSame(OfferVerdict.POOLED, pool.releaseStream(c));

        pool.maxStreamsChanged(c, 1);

        assertEquals(ConnState.IDLE, pool.stateOf(c));
        assertSame(c, takeStream(A));
        assertEquals(List.of(CONNECT_PERMIT), acquire(A).calls(), "its limit is 1 now");
    }

    @Test
    void maxStreamsChangedOnADrainingOrClosedConnectionServesNobody() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(1));
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 1);
        RecordingWaiter w = acquire(A);
        assertFalse(pool.retire(c, CloseReason.GOAWAY));

        pool.maxStreamsChanged(c, 100);

        assertFalse(w.answered());
        assertEquals(1, pool.stats().streams());
    }

    @Test
    void streamCallsOnAnHttp1ConnectionAndNegativeLimitsFailLoudly() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> h1 = connectHttp1(H1);
        assertThrows(IllegalStateException.class, () -> pool.releaseStream(h1));
        assertThrows(IllegalStateException.class, () -> pool.maxStreamsChanged(h1, 5));
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 5);
        assertThrows(IllegalArgumentException.class, () -> pool.maxStreamsChanged(c, -1));
        assertThrows(IllegalStateException.class, () -> pool.offer(c, true), "a stream slot is released, not offered");
        RecordingWaiter w = acquire(B);
        assertThrows(IllegalArgumentException.class, () -> pool.connectedMultiplexed(w.connection(), new FakeTransport(), -1));
        assertEquals(ConnState.CONNECTING, pool.stateOf(w.connection()));
        assertEquals(1, pool.stats().streams());
        assertEquals(ConnState.ACTIVE, pool.stateOf(c));
    }

    @Test
    void connectingAnEstablishedSlotAgainAsMultiplexedFailsWithoutSideEffects() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> h1 = connectHttp1(H1);
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 5);
        FakeTransport first = c.transport();

        assertThrows(IllegalStateException.class, () -> pool.connectedMultiplexed(h1, new FakeTransport(), 5));
        assertThrows(IllegalStateException.class, () -> pool.connectedMultiplexed(c, new FakeTransport(), 1));

        assertFalse(h1.isMultiplexed(), "still an HTTP/1.1 connection");
        assertSame(OfferVerdict.POOLED, pool.offer(h1, true));
        assertSame(first, c.transport());
        for (int i = 1; i < 5; i++) {
            assertSame(c, takeStream(A), "its limit is still 5");
        }
        assertEquals(5, pool.stats().streams());
        assertEquals(2, pool.stats().opened());
    }

    // ---------------------------------------------------------------------------------------------
    // Releasing slots: exactly once, and after the connection closed.

    @Test
    void aSecondReleaseOfTheSameSlotThrowsAndChangesNothing() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 5);
        assertSame(OfferVerdict.POOLED, pool.releaseStream(c));
        PoolStats before = pool.stats();
        listener.clear();

        assertThrows(IllegalStateException.class, () -> pool.releaseStream(c));

        assertEquals(before, pool.stats());
        assertEquals(ConnState.IDLE, pool.stateOf(c));
        assertEquals(List.of(), listener.events());
    }

    @Test
    void releasesAfterThePeerClosedTheConnectionKeepCountsExactAndTheHostIsForgottenAtTheLast() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 5);
        takeStream(A);
        takeStream(A);
        c.transport().closeByPeer();

        pool.closed(c, CloseReason.PEER_CLOSED);

        assertEquals(ConnState.CLOSED, pool.stateOf(c));
        assertEquals(PoolStats.current(0, 0, 0, 0, 0, 3), pool.stats(A), "the slots are still taken until released");
        assertEquals(3, pool.stats().streams());
        assertEquals(0, pool.stats().open());
        assertEquals(1, pool.hostCountForTesting());
        assertEquals(List.of(CONNECT_PERMIT), acquire(A).calls(), "no stream on a closed connection");
        pool.closed(lastPermit, CloseReason.ABORTED);

        assertSame(OfferVerdict.KEPT, pool.releaseStream(c));
        assertSame(OfferVerdict.KEPT, pool.releaseStream(c));
        assertEquals(1, pool.stats(A).streams());
        assertEquals(1, pool.hostCountForTesting(), "a slot is still taken");
        assertSame(OfferVerdict.KEPT, pool.releaseStream(c));

        assertEquals(0, pool.stats().streams());
        assertEquals(0, pool.hostCountForTesting(), "the last slot back: nothing left of the host");
        assertEquals(PoolStats.EMPTY, pool.stats(A));
        assertThrows(IllegalStateException.class, () -> pool.releaseStream(c));
        assertEquals(1, pool.stats().closedBy(CloseReason.PEER_CLOSED));
        assertEquals(0, pool.stats().refusedTotal());
    }

    @Test
    void aFreedStreamGoesToTheOldestWaiterAcrossConnections() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(2));
        List<RecordingWaiter> w = acquireAll(A, 3);
        PooledConnection<FakeTransport> c1 = w.get(0).connection();
        assertTrue(pool.connectedMultiplexed(c1, new FakeTransport(), 1));
        PooledConnection<FakeTransport> c2 = w.get(1).connection();
        assertTrue(pool.connectedMultiplexed(c2, new FakeTransport(), 1));
        List<RecordingWaiter> queued = acquireAll(A, 3);
        queued.add(0, w.get(2));

        assertSame(OfferVerdict.HANDED_OFF, pool.releaseStream(c2));
        assertSame(OfferVerdict.HANDED_OFF, pool.releaseStream(c1));
        assertSame(OfferVerdict.HANDED_OFF, pool.releaseStream(c2));

        assertSame(c2, queued.get(0).connection());
        assertSame(c1, queued.get(1).connection());
        assertSame(c2, queued.get(2).connection());
        assertFalse(queued.get(3).answered());
        assertEquals(2, pool.stats().streams());
    }

    // ---------------------------------------------------------------------------------------------
    // An idle multiplexed connection: the HTTP/1.1 rules apply.

    @Test
    void theLastReleasePoolsItAndAnAcquireTakesItBackAsAStreamConnection() {
        newPool(PoolConfig.builder().idleTimeout(Duration.ofSeconds(30)));
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 5);
        takeStream(A);
        assertSame(OfferVerdict.KEPT, pool.releaseStream(c));

        assertSame(OfferVerdict.POOLED, pool.releaseStream(c));

        assertEquals(ConnState.IDLE, pool.stateOf(c));
        assertEquals(PoolStats.current(1, 1, 0, 0, 0, 0), pool.stats(A));
        clock.advance(Duration.ofSeconds(10));
        assertEquals(Duration.ofSeconds(20).toNanos(), pool.expireIfIdle(c));
        listener.clear();

        assertSame(c, takeStream(A));

        assertEquals(Duration.ofSeconds(10).toNanos(), c.idleNanosBeforeLease());
        assertEquals(List.of(new Event(ACQUIRED, c, A, true)), listener.events());
        assertEquals(-1, pool.expireIfIdle(c), "not idle any more");
        assertEquals(1, pool.stats().streams());
        assertSame(c, takeStream(A), "back among the connections taking streams");
        assertEquals(PoolStats.current(1, 0, 1, 0, 0, 2), pool.stats(A));
        assertEquals(2, pool.stats().streams());
    }

    @Test
    void anIdleMultiplexedConnectionClosesAtItsIdleTimeout() {
        newPool(PoolConfig.builder().idleTimeout(Duration.ofSeconds(30)));
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 5);
        assertSame(OfferVerdict.POOLED, pool.releaseStream(c));
        clock.advance(Duration.ofSeconds(30));

        assertEquals(-1, pool.expireIfIdle(c));

        assertEquals(List.of(c.transport()), hooks.closed());
        pool.closed(c, CloseReason.PEER_CLOSED);
        assertEquals(1, pool.stats().closedBy(CloseReason.IDLE_TIMEOUT));
        assertEquals(0, pool.hostCountForTesting());
    }

    @Test
    void anIdleMultiplexedConnectionClosesAtItsLifetime() {
        newPool(PoolConfig.builder().idleTimeout(Duration.ofSeconds(30)).maxLifetime(Duration.ofSeconds(20)));
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 5);
        clock.advance(Duration.ofSeconds(5));
        assertSame(OfferVerdict.POOLED, pool.releaseStream(c));
        assertEquals(Duration.ofSeconds(15).toNanos(), pool.expireIfIdle(c));
        clock.advance(Duration.ofSeconds(15));

        assertEquals(-1, pool.expireIfIdle(c));
        pool.closed(c, CloseReason.PEER_CLOSED);

        assertEquals(1, pool.stats().closedBy(CloseReason.LIFETIME_EXPIRED));
    }

    @Test
    void anIdleMultiplexedConnectionIsEvictedAtTheTotalCap() {
        newPool(PoolConfig.builder().maxIdleTotal(1));
        PooledConnection<FakeTransport> a = connectMultiplexed(A, 5);
        PooledConnection<FakeTransport> b = connectMultiplexed(B, 5);
        assertSame(OfferVerdict.POOLED, pool.releaseStream(a));

        assertSame(OfferVerdict.POOLED, pool.releaseStream(b));

        assertEquals(List.of(a.transport()), hooks.closed());
        pool.closed(a, CloseReason.PEER_CLOSED);
        assertEquals(1, pool.stats().closedBy(CloseReason.EVICTED));
        assertEquals(ConnState.IDLE, pool.stateOf(b));
    }

    @Test
    void anIdleConnectionLeasedAgainIsNoLongerTheOneTheTotalCapEvicts() {
        newPool(PoolConfig.builder().maxIdleTotal(1));
        PooledConnection<FakeTransport> a = connectMultiplexed(A, 5);
        PooledConnection<FakeTransport> b = connectMultiplexed(B, 5);
        assertSame(OfferVerdict.POOLED, pool.releaseStream(a));
        assertSame(a, takeStream(A));

        assertSame(OfferVerdict.POOLED, pool.releaseStream(b));

        assertEquals(List.of(), hooks.closed(), "a is active: nothing to evict");
        assertEquals(ConnState.ACTIVE, pool.stateOf(a));
    }

    @Test
    void anIdleConnectionWhoseCloseIsReportedLeavesTheIdleList() {
        newPool(PoolConfig.builder());
        connectMultiplexed(A, 1); // stays active and full: the host is kept
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 5);
        assertSame(OfferVerdict.POOLED, pool.releaseStream(c));
        c.transport().closeByPeer();

        pool.closed(c, CloseReason.PEER_CLOSED);

        assertEquals(List.of(CONNECT_PERMIT), acquire(A).calls());
        assertEquals(0, pool.stats().idle());
        assertEquals(1, pool.stats().closedBy(CloseReason.PEER_CLOSED));
    }

    @Test
    void anIdleMultiplexedConnectionFoundDeadAtAcquireIsDroppedForANewConnect() {
        newPool(PoolConfig.builder().maxIdleTotal(1));
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 5);
        PooledConnection<FakeTransport> b = connectMultiplexed(B, 5);
        assertSame(OfferVerdict.POOLED, pool.releaseStream(c));
        c.transport().closeByPeer();

        RecordingWaiter w = acquire(A);

        assertEquals(List.of(CONNECT_PERMIT), w.calls());
        assertEquals(ConnState.CLOSING, pool.stateOf(c));
        assertSame(OfferVerdict.POOLED, pool.releaseStream(b));
        assertEquals(List.of(c.transport()), hooks.closed(), "the dropped one is out of the idle list: nothing to evict");
    }

    @Test
    void anActiveConnectionPastItsLifetimeDrainsAndClosesAtItsLastStream() {
        newPool(PoolConfig.builder().maxLifetime(Duration.ofSeconds(60)));
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 10);
        takeStream(A);
        clock.advance(Duration.ofSeconds(60));

        RecordingWaiter w = acquire(A);

        assertEquals(List.of(CONNECT_PERMIT), w.calls(), "no new stream past the lifetime");
        assertEquals(2, pool.stats().streams());
        assertSame(OfferVerdict.KEPT, pool.releaseStream(c));
        assertEquals(OfferVerdict.refused(RefuseReason.LIFETIME_EXPIRED), pool.releaseStream(c));
        assertEquals(ConnState.CLOSING, pool.stateOf(c));
        c.transport().close();
        pool.closed(c, CloseReason.PEER_CLOSED);
        assertEquals(1, pool.stats().closedBy(CloseReason.LIFETIME_EXPIRED));
        assertEquals(1, pool.stats().refusedLifetimeExpired());
    }

    @Test
    void aConnectionWhoseSocketClosedTakesNoNewStream() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 10);
        c.transport().closeByPeer();

        RecordingWaiter w = acquire(A);

        assertEquals(List.of(CONNECT_PERMIT), w.calls());
        assertEquals(1, pool.stats().streams());
        assertEquals(OfferVerdict.refused(RefuseReason.NOT_REUSABLE), pool.releaseStream(c));
    }

    // ---------------------------------------------------------------------------------------------
    // Closing the pool.

    @Test
    void closingThePoolFailsTheWaitersOnACoalescingConnectAndALateSettingsIsRefused() {
        newPool(PoolConfig.builder());
        List<RecordingWaiter> w = acquireAll(A, 3);
        PooledConnection<FakeTransport> slot = w.get(0).connection();

        pool.close();

        assertInstanceOf(ClientClosedException.class, w.get(1).failure());
        assertInstanceOf(ClientClosedException.class, w.get(2).failure());
        FakeTransport t = new FakeTransport();
        assertFalse(pool.connectedMultiplexed(slot, t, 100));
        assertEquals(ConnState.CLOSING, pool.stateOf(slot));
        assertEquals(0, pool.stats().streams(), "no stream on a connection the caller must close");
        t.close();
        pool.closed(slot, CloseReason.PEER_CLOSED);
        assertEquals(1, pool.stats().closedBy(CloseReason.CLIENT_CLOSED));
        assertEquals(0, pool.hostCountForTesting());
    }

    @Test
    void afterCloseStreamsEndKeptThenTheLastIsRefused() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> c = connectMultiplexed(A, 10);
        takeStream(A);
        pool.close();

        assertSame(OfferVerdict.KEPT, pool.releaseStream(c));
        assertEquals(OfferVerdict.refused(RefuseReason.POOL_CLOSED), pool.releaseStream(c));
        assertEquals(0, pool.stats().streams());
    }

    // ---------------------------------------------------------------------------------------------
    // No foreign code under the lock.

    @Test
    void noWaiterListenerOrTransportCallRunsUnderTheLockOnTheMultiplexedPaths() {
        List<String> underLock = new CopyOnWriteArrayList<>();
        PoolListener probing = new PoolListener() {
            @Override
            public void connectionOpened(PooledConnection<?> c) {
                probe("opened");
            }

            @Override
            public void connectionAcquired(PooledConnection<?> c, boolean reused) {
                probe("acquired");
            }

            @Override
            public void connectionReleased(PooledConnection<?> c, OfferVerdict v) {
                probe("released " + v);
            }

            @Override
            public void connectionClosed(PooledConnection<?> c, CloseReason r) {
                probe("closed " + r);
            }

            private void probe(String what) {
                if (pool.lockHeldByCurrentThread()) underLock.add(what);
            }
        };
        pool = new ConnectionPool<>(PoolConfig.builder().maxConnectionsPerHost(2).maxIdleTotal(1).build(), clock, probing,
                new FakeTransportHooks(t -> {
                    if (pool.lockHeldByCurrentThread()) underLock.add("hooks.close");
                }).multiplexing(k -> true));
        class Probing extends RecordingWaiter {
            Probing(PoolKey key) {
                super(key);
            }

            private void probe(String what) {
                if (pool.lockHeldByCurrentThread()) underLock.add(what);
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
        List<Probing> w = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Probing p = new Probing(A);
            w.add(p);
            pool.acquire(p);
        }
        pool.connectFailed(w.get(0).connection(), new IOException("refused"));            // onFailure x5
        pool.closed(w.get(0).connection(), CloseReason.PEER_CLOSED);
        for (int i = 0; i < 4; i++) {
            Probing p = new Probing(A);
            w.add(p);
            pool.acquire(p);
        }
        PooledConnection<FakeTransport> c1 = w.get(6).connection();
        assertTrue(pool.connectedMultiplexed(c1, new FakeTransport(), 1));                // permit for the next
        PooledConnection<FakeTransport> c2 = w.get(7).connection();
        assertTrue(pool.connected(c2, new FakeTransport()));                              // ALPN fallback
        assertSame(OfferVerdict.HANDED_OFF, pool.releaseStream(c1));                      // onConnection
        pool.maxStreamsChanged(c1, 5);                                                    // onConnection
        assertFalse(pool.retire(c1, CloseReason.GOAWAY));
        pool.releaseStream(c1);
        pool.releaseStream(c1);
        c1.transport().close();
        pool.closed(c1, CloseReason.PEER_CLOSED);                                         // grants
        Probing other = new Probing(B);
        pool.acquire(other);
        assertTrue(pool.connectedMultiplexed(other.connection(), new FakeTransport(), 3));
        assertSame(OfferVerdict.POOLED, pool.releaseStream(other.connection()));
        clock.advance(Duration.ofMinutes(5));
        pool.expireIfIdle(other.connection());                                            // hooks.close
        pool.close();

        assertEquals(List.of(), underLock);
        assertFalse(pool.lockHeldByCurrentThread());
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers: the test plays the transport.

    private PooledConnection<FakeTransport> lastPermit;

    private void newPool(PoolConfig.Builder config) {
        pool = new ConnectionPool<>(config.build(), clock, listener, hooks);
    }

    private RecordingWaiter acquire(PoolKey key) {
        RecordingWaiter w = new RecordingWaiter(key);
        pool.acquire(w);
        if (w.calls().equals(List.of(CONNECT_PERMIT))) {
            lastPermit = w.connection();
        }
        return w;
    }

    private List<RecordingWaiter> acquireAll(PoolKey key, int n) {
        List<RecordingWaiter> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            all.add(acquire(key));
        }
        return all;
    }

    /** A fresh connection that came up multiplexed; the caller holds its first stream slot. */
    private PooledConnection<FakeTransport> connectMultiplexed(PoolKey key, int maxStreams) {
        RecordingWaiter w = acquire(key);
        assertEquals(List.of(CONNECT_PERMIT), w.calls());
        assertTrue(pool.connectedMultiplexed(w.connection(), new FakeTransport(), maxStreams));
        assertTrue(w.connection().isMultiplexed());
        return w.connection();
    }

    private PooledConnection<FakeTransport> connectHttp1(PoolKey key) {
        RecordingWaiter w = acquire(key);
        assertEquals(List.of(CONNECT_PERMIT), w.calls());
        assertTrue(pool.connected(w.connection(), new FakeTransport()));
        return w.connection();
    }

    /** Acquires and expects a stream slot (or the idle connection) at once. */
    private PooledConnection<FakeTransport> takeStream(PoolKey key) {
        RecordingWaiter w = acquire(key);
        assertEquals(List.of(CONNECTION), w.calls());
        return w.connection();
    }

    private static <E> E last(List<E> list) {
        assertFalse(list.isEmpty());
        return list.get(list.size() - 1);
    }
}
