package io.keepwell.pool;

import io.keepwell.http.ClientClosedException;
import io.keepwell.pool.testing.FakeTransport;
import io.keepwell.pool.testing.FakeTransportHooks;
import io.keepwell.pool.testing.ManualClock;
import io.keepwell.pool.testing.RecordingPoolListener;
import io.keepwell.pool.testing.RecordingPoolListener.Event;
import io.keepwell.pool.testing.RecordingWaiter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.keepwell.pool.testing.RecordingPoolListener.Type.ACQUIRED;
import static io.keepwell.pool.testing.RecordingPoolListener.Type.CLOSED;
import static io.keepwell.pool.testing.RecordingPoolListener.Type.OPENED;
import static io.keepwell.pool.testing.RecordingPoolListener.Type.RELEASED;
import static io.keepwell.pool.testing.RecordingPoolListener.Type.RETRIED;
import static io.keepwell.pool.testing.RecordingWaiter.Callback.CONNECTION;
import static io.keepwell.pool.testing.RecordingWaiter.Callback.CONNECT_PERMIT;
import static io.keepwell.pool.testing.RecordingWaiter.Callback.FAILURE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The pool's contract, driven single-threaded with a {@link ManualClock} and fake transports. The
 * tests play the transport: they connect slots, close refused connections and report every close
 * with {@link ConnectionPool#closed}.
 */
class ConnectionPoolTest {

    private static final PoolKey A = new PoolKey("http", "a.example", 80);
    private static final PoolKey B = new PoolKey("http", "b.example", 80);
    private static final PoolKey C = new PoolKey("http", "c.example", 80);
    private static final PoolKey D = new PoolKey("https", "d.example", 443);

    private final ManualClock clock = new ManualClock();
    private final FakeTransportHooks hooks = new FakeTransportHooks();
    private final RecordingPoolListener listener = new RecordingPoolListener();
    private ConnectionPool<FakeTransport> pool;

    // ---------------------------------------------------------------------------------------------
    // Refusals: every RefuseReason, and what a refusal leaves behind.

    /** Prepares the connection to offer, on a pool built from the row's config. */
    interface Scenario {
        Offer prepare(ConnectionPoolTest t);
    }

    record Offer(PooledConnection<FakeTransport> connection, boolean reusable) {
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                arguments(RefuseReason.KEEP_ALIVE_DISABLED, "keepAlive(false)",
                        PoolConfig.builder().keepAlive(false),
                        (Scenario) t -> new Offer(t.connect(A), true)),
                arguments(RefuseReason.NOT_REUSABLE, "offered with reusable=false",
                        PoolConfig.builder(),
                        (Scenario) t -> new Offer(t.connect(A), false)),
                arguments(RefuseReason.NOT_REUSABLE, "transport no longer open",
                        PoolConfig.builder(),
                        (Scenario) t -> {
                            PooledConnection<FakeTransport> c = t.connect(A);
                            c.transport().closeByPeer();
                            return new Offer(c, true);
                        }),
                arguments(RefuseReason.TOO_MANY_IDLE_FOR_HOST, "host already has maxIdlePerHost idle",
                        PoolConfig.builder().maxIdlePerHost(1),
                        (Scenario) t -> {
                            PooledConnection<FakeTransport> first = t.connect(A);
                            PooledConnection<FakeTransport> second = t.connect(A);
                            assertSame(OfferVerdict.POOLED, t.pool.offer(first, true));
                            return new Offer(second, true);
                        }),
                arguments(RefuseReason.TOO_MANY_IDLE_TOTAL, "maxIdleTotal(0)",
                        PoolConfig.builder().maxIdleTotal(0),
                        (Scenario) t -> new Offer(t.connect(A), true)),
                arguments(RefuseReason.LIFETIME_EXPIRED, "offered exactly at maxLifetime",
                        PoolConfig.builder().maxLifetime(Duration.ofSeconds(10)),
                        (Scenario) t -> {
                            PooledConnection<FakeTransport> c = t.connect(A);
                            t.clock.advance(Duration.ofSeconds(10));
                            return new Offer(c, true);
                        }),
                arguments(RefuseReason.CLOSING_IDLE, "after closeIdle(), no acquire since",
                        PoolConfig.builder(),
                        (Scenario) t -> {
                            PooledConnection<FakeTransport> c = t.connect(A);
                            t.pool.closeIdle();
                            return new Offer(c, true);
                        }),
                arguments(RefuseReason.POOL_CLOSED, "after close()",
                        PoolConfig.builder(),
                        (Scenario) t -> {
                            PooledConnection<FakeTransport> c = t.connect(A);
                            t.pool.close();
                            return new Offer(c, true);
                        }));
    }

    @Test
    void everyRefuseReasonHasARefusalRow() {
        Set<Object> covered = refusals().map(a -> a.get()[0]).collect(Collectors.toSet());
        assertEquals(EnumSet.allOf(RefuseReason.class), covered);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("refusals")
    void refusalNamesItsReasonAndLeavesTheConnectionClosingForTheCaller(
            RefuseReason reason, String how, PoolConfig.Builder config, Scenario scenario) {
        newPool(config);
        Offer offer = scenario.prepare(this);
        PooledConnection<FakeTransport> c = offer.connection();
        PoolStats before = pool.stats();

        OfferVerdict verdict = pool.offer(c, offer.reusable());

        assertEquals(OfferVerdict.Outcome.REFUSED, verdict.outcome());
        assertEquals(reason, verdict.refuseReason());
        assertSame(OfferVerdict.refused(reason), verdict);
        assertFalse(verdict.isAccepted());
        assertEquals(ConnState.CLOSING, pool.stateOf(c));
        PoolStats after = pool.stats();
        assertEquals(1, after.refused(reason));
        assertEquals(1, after.refusedTotal());
        assertEquals(before.open(), after.open(), "a refused connection is open until its close is reported");
        assertEquals(before.active() - 1, after.active());
        assertEquals(before.idle(), after.idle());
        assertFalse(hooks.closed().contains(c.transport()), "the caller closes a refused connection, not the hooks");
        assertEquals(new Event(RELEASED, c, A, verdict), last(listener.events()));

        c.transport().close();
        pool.closed(c, CloseReason.PEER_CLOSED);

        assertEquals(ConnState.CLOSED, pool.stateOf(c));
        PoolStats closed = pool.stats();
        assertEquals(after.open() - 1, closed.open());
        assertEquals(1, closed.closedBy(CloseReason.REFUSED), "counted under the reason the pool chose");
        assertEquals(0, closed.closedBy(CloseReason.PEER_CLOSED));
        assertEquals(new Event(CLOSED, c, A, CloseReason.REFUSED), last(listener.events()));
    }

    @Test
    void lifetimeRunsUpToButNotIncludingItsDeadline() {
        newPool(PoolConfig.builder().maxLifetime(Duration.ofSeconds(10)));
        PooledConnection<FakeTransport> c = connect(A);
        clock.advance(Duration.ofSeconds(10).minusNanos(1));
        assertSame(OfferVerdict.POOLED, pool.offer(c, true));
        assertSame(c, takeIdle(A));
        clock.advanceNanos(1);
        assertEquals(OfferVerdict.refused(RefuseReason.LIFETIME_EXPIRED), pool.offer(c, true));
    }

    @Test
    void lifetimeJitterOnlyShortensTheLifetime() {
        newPool(PoolConfig.builder().maxLifetime(Duration.ofSeconds(10)).lifetimeJitter(Duration.ofSeconds(5)));
        List<PooledConnection<FakeTransport>> conns = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            conns.add(connect(A));
        }
        // jitter is drawn from [0, 5 s): every deadline lies in (5 s, 10 s]
        clock.advance(Duration.ofSeconds(5));
        for (PooledConnection<FakeTransport> c : conns) {
            assertSame(OfferVerdict.POOLED, pool.offer(c, true), "no lifetime is shorter than maxLifetime - jitter");
        }
        for (PooledConnection<FakeTransport> c : conns) {
            long remaining = pool.expireIfIdle(c);
            assertTrue(remaining > 0 && remaining <= Duration.ofSeconds(5).toNanos(), "remaining " + remaining);
        }
        clock.advance(Duration.ofSeconds(5));
        for (PooledConnection<FakeTransport> c : conns) {
            assertEquals(-1, pool.expireIfIdle(c), "every lifetime ends by maxLifetime");
        }
        assertEquals(20, hooks.closed().size());
    }

    @Test
    void closeIdleDropsIdleConnectionsAndRefusesOffersUntilTheNextAcquire() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> idle = connect(A);
        PooledConnection<FakeTransport> active = connect(A);
        PooledConnection<FakeTransport> other = connect(B);
        assertSame(OfferVerdict.POOLED, pool.offer(idle, true));

        pool.closeIdle();

        assertEquals(List.of(idle.transport()), hooks.closed());
        assertEquals(ConnState.CLOSING, pool.stateOf(idle));
        assertEquals(0, pool.stats().idle());
        assertEquals(OfferVerdict.refused(RefuseReason.CLOSING_IDLE), pool.offer(active, true));
        assertEquals(OfferVerdict.refused(RefuseReason.CLOSING_IDLE), pool.offer(other, true), "for every host");

        pool.closed(idle, CloseReason.PEER_CLOSED);
        assertEquals(1, pool.stats().closedBy(CloseReason.CLOSE_IDLE));

        PooledConnection<FakeTransport> next = connect(A); // an acquire ends the closing-idle period
        assertSame(OfferVerdict.POOLED, pool.offer(next, true));
        assertEquals(2, pool.stats().refusedClosingIdle());
    }

    @Test
    void refusedConnectionKeepsItsHostSlotUntilItsCloseIsReported() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(1));
        PooledConnection<FakeTransport> c = connect(A);
        assertEquals(OfferVerdict.refused(RefuseReason.NOT_REUSABLE), pool.offer(c, false));

        RecordingWaiter w = new RecordingWaiter(A);
        pool.acquire(w);
        assertEquals(List.of(), w.calls(), "the closing connection still counts against maxConnectionsPerHost");
        assertEquals(1, pool.stats().pending());

        closeAndReport(c);
        assertEquals(CONNECT_PERMIT, w.onlyCall());
    }

    // ---------------------------------------------------------------------------------------------
    // Checkout order and eviction.

    @Test
    void takesIdleConnectionsOfAHostMostRecentlyUsedFirst() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> a1 = connect(A);
        PooledConnection<FakeTransport> a2 = connect(A);
        PooledConnection<FakeTransport> a3 = connect(A);
        PooledConnection<FakeTransport> b1 = connect(B);
        for (PooledConnection<FakeTransport> c : List.of(a1, b1, a2, a3)) {
            assertSame(OfferVerdict.POOLED, pool.offer(c, true));
        }

        assertSame(a3, takeIdle(A));
        assertSame(a2, takeIdle(A));
        assertSame(OfferVerdict.POOLED, pool.offer(a3, true));
        assertSame(a3, takeIdle(A), "returned last, so used first");
        assertSame(a1, takeIdle(A));

        RecordingWaiter w = new RecordingWaiter(A);
        pool.acquire(w);
        assertEquals(CONNECT_PERMIT, w.onlyCall(), "B's idle connection does not serve A");
        assertEquals(1, pool.stats().idle());
    }

    @Test
    void evictsTheLeastRecentlyUsedIdleConnectionAcrossHostsWhenTheTotalCapIsReached() {
        newPool(PoolConfig.builder().maxIdleTotal(2).maxIdlePerHost(2));
        PooledConnection<FakeTransport> a1 = connect(A);
        PooledConnection<FakeTransport> b1 = connect(B);
        PooledConnection<FakeTransport> c1 = connect(C);
        PooledConnection<FakeTransport> d1 = connect(D);
        assertSame(OfferVerdict.POOLED, pool.offer(a1, true));
        assertSame(OfferVerdict.POOLED, pool.offer(b1, true));
        assertEquals(List.of(), hooks.closed());

        assertSame(OfferVerdict.POOLED, pool.offer(c1, true));

        assertEquals(List.of(a1.transport()), hooks.closed());
        assertEquals(ConnState.CLOSING, pool.stateOf(a1));
        PoolStats s = pool.stats();
        assertEquals(2, s.idle());
        assertEquals(4, s.open(), "the evicted connection is open until its close is reported");
        assertEquals(0, s.closedBy(CloseReason.EVICTED), "counted when the close is reported, not before");
        assertEquals(0, s.refusedTotal(), "an eviction is not a refusal");
        assertEquals(4, pool.hostCountForTesting());

        pool.closed(a1, CloseReason.PEER_CLOSED);
        s = pool.stats();
        assertEquals(1, s.closedBy(CloseReason.EVICTED));
        assertEquals(0, s.closedBy(CloseReason.PEER_CLOSED));
        assertEquals(3, s.open());
        assertEquals(new Event(CLOSED, a1, A, CloseReason.EVICTED), last(listener.events()));
        assertEquals(3, pool.hostCountForTesting(), "A has nothing left and is forgotten");

        // recency is by release, not by creation: b1 used again is now newer than c1
        assertSame(b1, takeIdle(B));
        assertSame(OfferVerdict.POOLED, pool.offer(b1, true));
        assertSame(OfferVerdict.POOLED, pool.offer(d1, true));
        assertEquals(List.of(a1.transport(), c1.transport()), hooks.closed());
        assertEquals(ConnState.IDLE, pool.stateOf(b1));
        assertEquals(ConnState.IDLE, pool.stateOf(d1));
    }

    // ---------------------------------------------------------------------------------------------
    // Idle expiry, stepped with the clock.

    @Test
    void expireIfIdleReportsTheTimeLeftThenClosesAtTheDeadline() {
        newPool(PoolConfig.builder().idleTimeout(Duration.ofSeconds(30)));
        PooledConnection<FakeTransport> c = connect(A);
        assertEquals(-1, pool.expireIfIdle(c), "not idle: no timer");
        assertSame(OfferVerdict.POOLED, pool.offer(c, true));

        assertEquals(Duration.ofSeconds(30).toNanos(), pool.expireIfIdle(c));
        clock.advance(Duration.ofSeconds(10));
        assertEquals(Duration.ofSeconds(20).toNanos(), pool.expireIfIdle(c));
        clock.advance(Duration.ofSeconds(20).minusNanos(1));
        assertEquals(1, pool.expireIfIdle(c));
        assertEquals(List.of(), hooks.closed());

        clock.advanceNanos(1);
        assertEquals(-1, pool.expireIfIdle(c));
        assertEquals(List.of(c.transport()), hooks.closed());
        assertEquals(ConnState.CLOSING, pool.stateOf(c));
        assertEquals(0, pool.stats().idle());
        assertEquals(1, pool.stats().open());

        assertEquals(-1, pool.expireIfIdle(c), "a second timer does nothing");
        assertEquals(1, hooks.closed().size());

        pool.closed(c, CloseReason.PEER_CLOSED);
        assertEquals(1, pool.stats().closedBy(CloseReason.IDLE_TIMEOUT));
        assertEquals(0, pool.stats().open());
    }

    @Test
    void idleTimerRestartsWhenAConnectionGoesIdleAgain() {
        newPool(PoolConfig.builder().idleTimeout(Duration.ofSeconds(30)));
        PooledConnection<FakeTransport> c = connect(A);
        assertSame(OfferVerdict.POOLED, pool.offer(c, true));
        clock.advance(Duration.ofSeconds(25));
        assertSame(c, takeIdle(A));
        assertEquals(-1, pool.expireIfIdle(c), "leased: the old timer stops");
        assertSame(OfferVerdict.POOLED, pool.offer(c, true));
        clock.advance(Duration.ofSeconds(25));
        assertEquals(Duration.ofSeconds(5).toNanos(), pool.expireIfIdle(c));
    }

    @Test
    void expireIfIdleClosesAtTheLifetimeWhenItComesBeforeTheIdleDeadline() {
        newPool(PoolConfig.builder().idleTimeout(Duration.ofSeconds(30)).maxLifetime(Duration.ofSeconds(40)));
        PooledConnection<FakeTransport> c = connect(A);
        clock.advance(Duration.ofSeconds(20));
        assertSame(OfferVerdict.POOLED, pool.offer(c, true));

        assertEquals(Duration.ofSeconds(20).toNanos(), pool.expireIfIdle(c));
        clock.advance(Duration.ofSeconds(20));
        assertEquals(-1, pool.expireIfIdle(c));
        closeReportedByTransport(c);
        assertEquals(1, pool.stats().closedBy(CloseReason.LIFETIME_EXPIRED));
        assertEquals(0, pool.stats().closedBy(CloseReason.IDLE_TIMEOUT));
    }

    @Test
    void expiredIdleConnectionIsSkippedAndClosedAtAcquire() {
        newPool(PoolConfig.builder().idleTimeout(Duration.ofSeconds(30)));
        PooledConnection<FakeTransport> c = connect(A);
        assertSame(OfferVerdict.POOLED, pool.offer(c, true));
        clock.advance(Duration.ofSeconds(30));

        RecordingWaiter w = new RecordingWaiter(A);
        pool.acquire(w);

        assertEquals(CONNECT_PERMIT, w.onlyCall());
        assertNotSame(c, w.connection());
        assertEquals(List.of(c.transport()), hooks.closed());
        PoolStats s = pool.stats();
        assertEquals(0, s.idle());
        assertEquals(0, s.reused());
        assertEquals(2, s.open(), "the expired one is closing, the new one connecting");
        assertEquals(1, s.connecting());

        pool.closed(c, CloseReason.PEER_CLOSED);
        assertEquals(1, pool.stats().closedBy(CloseReason.IDLE_TIMEOUT));
    }

    @Test
    void deadIdleTransportIsSkippedAtAcquireForTheNextOne() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> older = connect(A);
        PooledConnection<FakeTransport> newer = connect(A);
        assertSame(OfferVerdict.POOLED, pool.offer(older, true));
        assertSame(OfferVerdict.POOLED, pool.offer(newer, true));
        newer.transport().closeByPeer();

        assertSame(older, takeIdle(A));

        assertEquals(List.of(newer.transport()), hooks.closed());
        assertEquals(ConnState.CLOSING, pool.stateOf(newer));
        pool.closed(newer, CloseReason.IDLE_TIMEOUT);
        assertEquals(1, pool.stats().closedBy(CloseReason.PEER_CLOSED), "the reason the pool chose wins");
        assertEquals(0, pool.stats().closedBy(CloseReason.IDLE_TIMEOUT));
    }

    @Test
    void closeOfAnIdleConnectionReportedByTheTransportTakesItOutOfThePool() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> c = connect(A);
        assertSame(OfferVerdict.POOLED, pool.offer(c, true));

        c.transport().closeByPeer();
        pool.closed(c, CloseReason.UNSOLICITED_DATA);

        PoolStats s = pool.stats();
        assertEquals(0, s.idle());
        assertEquals(0, s.open());
        assertEquals(1, s.closedBy(CloseReason.UNSOLICITED_DATA));
        RecordingWaiter w = new RecordingWaiter(A);
        pool.acquire(w);
        assertEquals(CONNECT_PERMIT, w.onlyCall());
        assertEquals(List.of(), hooks.closed(), "the pool did not choose this close");
    }

    @Test
    void markClosingClaimsTheCloseOnceAndItsReasonIsCounted() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> active = connect(A);
        PooledConnection<FakeTransport> idle = connect(A);
        assertSame(OfferVerdict.POOLED, pool.offer(idle, true));

        assertTrue(pool.markClosing(active, CloseReason.ABORTED));
        assertFalse(pool.markClosing(active, CloseReason.PROTOCOL_ERROR), "already closing");
        assertTrue(pool.markClosing(idle, CloseReason.UNSOLICITED_DATA));
        assertEquals(0, pool.stats().idle());
        assertEquals(2, pool.stats().open());

        closeAndReport(active);
        closeAndReport(idle);
        assertFalse(pool.markClosing(active, CloseReason.ABORTED), "already closed");
        PoolStats s = pool.stats();
        assertEquals(1, s.closedBy(CloseReason.ABORTED));
        assertEquals(1, s.closedBy(CloseReason.UNSOLICITED_DATA));
        assertEquals(0, s.closedBy(CloseReason.PROTOCOL_ERROR));
        assertEquals(0, s.open());
    }

    // ---------------------------------------------------------------------------------------------
    // Counting.

    @Test
    void statsTotalsAfterAScriptedSequence() throws IOException {
        newPool(PoolConfig.builder().maxIdlePerHost(1).idleTimeout(Duration.ofSeconds(30)));

        PooledConnection<FakeTransport> a1 = connect(A);
        PooledConnection<FakeTransport> a2 = connect(A);
        assertSame(OfferVerdict.POOLED, pool.offer(a1, true));
        assertEquals(OfferVerdict.refused(RefuseReason.TOO_MANY_IDLE_FOR_HOST), pool.offer(a2, true));
        closeAndReport(a2);
        PoolStats mid = pool.stats();
        assertEquals(1, mid.open());
        assertEquals(1, mid.idle());
        assertEquals(1, mid.closed());

        assertSame(a1, takeIdle(A));
        assertEquals(OfferVerdict.refused(RefuseReason.NOT_REUSABLE), pool.offer(a1, false));
        closeAndReport(a1);

        PooledConnection<FakeTransport> b1 = connect(B);
        assertSame(OfferVerdict.POOLED, pool.offer(b1, true));
        clock.advance(Duration.ofSeconds(30));
        assertEquals(-1, pool.expireIfIdle(b1));
        closeReportedByTransport(b1);

        PooledConnection<FakeTransport> c1 = connect(C);
        assertTrue(pool.markClosing(c1, CloseReason.ABORTED));
        closeAndReport(c1);

        RecordingWaiter failedConnect = new RecordingWaiter(A);
        pool.acquire(failedConnect);
        assertEquals(CONNECT_PERMIT, failedConnect.onlyCall());
        pool.closed(failedConnect.connection(), CloseReason.PEER_CLOSED); // connect failed: never opened

        pool.recordRetry(A, "GET", 1, new IOException("reset on reused connection"));

        PooledConnection<FakeTransport> a3 = connect(A);
        PooledConnection<FakeTransport> a4 = connect(A);
        assertSame(OfferVerdict.POOLED, pool.offer(a3, true));
        pool.closeIdle();
        assertEquals(OfferVerdict.refused(RefuseReason.CLOSING_IDLE), pool.offer(a4, true));
        closeReportedByTransport(a3);
        closeAndReport(a4);

        PooledConnection<FakeTransport> a5 = connect(A);
        assertSame(OfferVerdict.POOLED, pool.offer(a5, true));
        pool.close();
        closeReportedByTransport(a5);

        Map<CloseReason, Long> byReason = new EnumMap<>(CloseReason.class);
        for (CloseReason r : CloseReason.values()) {
            byReason.put(r, 0L);
        }
        byReason.put(CloseReason.REFUSED, 3L);
        byReason.put(CloseReason.IDLE_TIMEOUT, 1L);
        byReason.put(CloseReason.ABORTED, 1L);
        byReason.put(CloseReason.CLOSE_IDLE, 1L);
        byReason.put(CloseReason.CLIENT_CLOSED, 1L);
        PoolStats expected = new PoolStats(
                0, 0, 0, 0, 0, 0,
                7, 1, 7, 1,
                0, 1, 1, 0, 0, 1, 0, 0,
                byReason);
        assertEquals(expected, pool.stats());
        assertEquals(List.of(b1.transport(), a3.transport(), a5.transport()), hooks.closed());
        assertEquals(1, listener.events(RETRIED).size());
        assertEquals(0, pool.hostCountForTesting());
    }

    @Test
    void listenerHearsALifecycleInOrder() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> c = connect(A);
        assertSame(OfferVerdict.POOLED, pool.offer(c, true));
        assertSame(c, takeIdle(A));
        OfferVerdict refused = pool.offer(c, false);
        closeAndReport(c);

        assertEquals(List.of(
                new Event(OPENED, c, A, null),
                new Event(ACQUIRED, c, A, false),
                new Event(RELEASED, c, A, OfferVerdict.POOLED),
                new Event(ACQUIRED, c, A, true),
                new Event(RELEASED, c, A, refused),
                new Event(CLOSED, c, A, CloseReason.REFUSED)), listener.events());
    }

    @Test
    void connectFailureIsNotCountedAsAClose() {
        newPool(PoolConfig.builder());
        RecordingWaiter w = new RecordingWaiter(A);
        pool.acquire(w);
        assertEquals(1, pool.stats().connecting());

        pool.closed(w.connection(), CloseReason.PEER_CLOSED);

        PoolStats s = pool.stats();
        assertEquals(0, s.open());
        assertEquals(0, s.opened());
        assertEquals(0, s.closed());
        assertEquals(0, s.closedBy(CloseReason.PEER_CLOSED));
        assertEquals(List.of(), listener.events(CLOSED));
        assertEquals(0, pool.hostCountForTesting());
    }

    // ---------------------------------------------------------------------------------------------
    // Illegal moves fail loudly.

    @Test
    void offeringAConnectionThatIsNotActiveFails() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> c = connect(A);
        assertSame(OfferVerdict.POOLED, pool.offer(c, true));
        assertThrows(IllegalStateException.class, () -> pool.offer(c, true), "offered twice");
        assertEquals(1, pool.stats().idle());
    }

    @Test
    void reportingACloseTwiceFails() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> c = connect(A);
        closeAndReport(c);
        assertThrows(IllegalStateException.class, () -> pool.closed(c, CloseReason.PEER_CLOSED));
        assertEquals(1, pool.stats().closed());
    }

    @Test
    void connectingASlotTwiceFails() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> c = connect(A);
        assertThrows(IllegalStateException.class, () -> pool.connected(c, new FakeTransport()));
    }

    // ---------------------------------------------------------------------------------------------
    // maxConnectionsPerHost and waiters.

    @Test
    void handsOffToWaitersInArrivalOrder() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(1));
        PooledConnection<FakeTransport> c = connect(A);
        RecordingWaiter w1 = new RecordingWaiter(A);
        RecordingWaiter w2 = new RecordingWaiter(A);
        pool.acquire(w1);
        pool.acquire(w2);
        assertEquals(List.of(), w1.calls());
        assertTrue(w1.isWaiting());
        assertEquals(2, pool.stats().pending());
        listener.clear();

        assertSame(OfferVerdict.HANDED_OFF, pool.offer(c, true));

        assertEquals(CONNECTION, w1.onlyCall());
        assertSame(c, w1.connection());
        assertFalse(w1.isWaiting());
        assertEquals(List.of(), w2.calls());
        assertEquals(ConnState.ACTIVE, pool.stateOf(c));
        PoolStats s = pool.stats();
        assertEquals(1, s.pending());
        assertEquals(1, s.reused());
        assertEquals(1, s.active());
        assertEquals(0, s.idle());
        assertEquals(List.of(
                new Event(RELEASED, c, A, OfferVerdict.HANDED_OFF),
                new Event(ACQUIRED, c, A, true)), listener.events());

        assertSame(OfferVerdict.HANDED_OFF, pool.offer(c, true));
        assertEquals(CONNECTION, w2.onlyCall());
        assertSame(c, w2.connection());
        assertEquals(1, w1.calls().size(), "answered once only");

        assertSame(OfferVerdict.POOLED, pool.offer(c, true), "nobody waits any more");
        assertEquals(0, pool.stats().pending());
        assertEquals(2, pool.stats().reused());
    }

    @Test
    void handOffTakesPrecedenceOverIdleCaps() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(1).maxIdlePerHost(0).maxIdleTotal(0));
        PooledConnection<FakeTransport> c = connect(A);
        RecordingWaiter w = new RecordingWaiter(A);
        pool.acquire(w);
        assertSame(OfferVerdict.HANDED_OFF, pool.offer(c, true));
        assertSame(c, w.connection());
    }

    @Test
    void unfitConnectionIsNotHandedOff() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(1));
        PooledConnection<FakeTransport> c = connect(A);
        RecordingWaiter w = new RecordingWaiter(A);
        pool.acquire(w);

        assertEquals(OfferVerdict.refused(RefuseReason.NOT_REUSABLE), pool.offer(c, false));
        assertEquals(List.of(), w.calls());

        closeAndReport(c);
        assertEquals(CONNECT_PERMIT, w.onlyCall(), "the waiter gets a new connection instead");
        assertEquals(0, pool.stats().reused());
    }

    @Test
    void cancelledWaitersAreSkipped() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(1));
        PooledConnection<FakeTransport> c = connect(A);
        RecordingWaiter w1 = new RecordingWaiter(A);
        RecordingWaiter w2 = new RecordingWaiter(A);
        RecordingWaiter w3 = new RecordingWaiter(A);
        pool.acquire(w1);
        pool.acquire(w2);
        pool.acquire(w3);

        assertTrue(pool.cancel(w2));
        assertFalse(pool.cancel(w2), "cancelled once only");
        assertFalse(w2.isWaiting());
        assertEquals(2, pool.stats().pending());

        assertSame(OfferVerdict.HANDED_OFF, pool.offer(c, true));
        assertSame(c, w1.connection());
        assertFalse(pool.cancel(w1), "already answered: the caller must offer back what it gets");
        assertSame(OfferVerdict.HANDED_OFF, pool.offer(c, true));
        assertSame(c, w3.connection());
        assertEquals(List.of(), w2.calls());
        assertEquals(0, pool.stats().pending());
    }

    @Test
    void waiterCancelledBeforeItWasQueuedIsSkippedAtHandOff() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(1));
        PooledConnection<FakeTransport> c = connect(A);
        RecordingWaiter gone = new RecordingWaiter(A);
        RecordingWaiter next = new RecordingWaiter(A);
        assertTrue(pool.cancel(gone), "the timeout won the race with acquire");
        pool.acquire(gone);
        pool.acquire(next);

        assertSame(OfferVerdict.HANDED_OFF, pool.offer(c, true));

        assertEquals(List.of(), gone.calls());
        assertSame(c, next.connection());
        assertEquals(0, pool.stats().pending());
        assertEquals(1, pool.stats().reused());
    }

    @Test
    void waiterCancelledBeforeAcquireGivesItsConnectPermitBack() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(1));
        RecordingWaiter gone = new RecordingWaiter(A);
        assertTrue(pool.cancel(gone));
        pool.acquire(gone);

        assertEquals(List.of(), gone.calls());
        assertEquals(0, pool.stats().open());
        assertEquals(0, pool.stats().connecting());
        assertEquals(0, pool.hostCountForTesting());
        connect(A); // the slot is free again
    }

    @Test
    void closingAConnectionGrantsConnectPermitsToWaiters() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(2));
        PooledConnection<FakeTransport> a1 = connect(A);
        PooledConnection<FakeTransport> a2 = connect(A);
        RecordingWaiter w1 = new RecordingWaiter(A);
        RecordingWaiter w2 = new RecordingWaiter(A);
        RecordingWaiter w3 = new RecordingWaiter(A);
        pool.acquire(w1);
        pool.acquire(w2);
        pool.acquire(w3);
        assertEquals(3, pool.stats().pending());

        closeAndReport(a1);

        assertEquals(CONNECT_PERMIT, w1.onlyCall());
        assertEquals(List.of(), w2.calls());
        PoolStats s = pool.stats();
        assertEquals(2, s.open());
        assertEquals(1, s.connecting());
        assertEquals(2, s.pending());

        pool.closed(w1.connection(), CloseReason.PEER_CLOSED); // w1's connect fails
        assertEquals(CONNECT_PERMIT, w2.onlyCall());
        assertEquals(List.of(), w3.calls());

        assertTrue(pool.connected(w2.connection(), new FakeTransport()));
        assertSame(OfferVerdict.HANDED_OFF, pool.offer(a2, true));
        assertSame(a2, w3.connection());
        assertEquals(0, pool.stats().pending());
        assertEquals(2, pool.stats().active());
    }

    @Test
    void queueFullFailsWithPoolExhaustedException() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(1).maxPendingAcquires(2));
        connect(A);
        RecordingWaiter w1 = new RecordingWaiter(A);
        RecordingWaiter w2 = new RecordingWaiter(A);
        RecordingWaiter w3 = new RecordingWaiter(A);
        pool.acquire(w1);
        pool.acquire(w2);

        pool.acquire(w3);

        assertEquals(FAILURE, w3.onlyCall());
        PoolExhaustedException e = assertInstanceOf(PoolExhaustedException.class, w3.failure());
        assertEquals(A, e.key());
        assertEquals(1, e.maxConnectionsPerHost());
        assertEquals(2, e.maxPendingAcquires());
        assertFalse(w3.isWaiting());
        assertEquals(List.of(), w1.calls());
        assertEquals(2, pool.stats().pending());

        RecordingWaiter otherHost = new RecordingWaiter(B);
        pool.acquire(otherHost);
        assertEquals(CONNECT_PERMIT, otherHost.onlyCall(), "the cap is per host");
    }

    @Test
    void noQueueAtAllWithMaxPendingAcquiresZero() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(1).maxPendingAcquires(0));
        connect(A);
        RecordingWaiter w = new RecordingWaiter(A);
        pool.acquire(w);
        assertInstanceOf(PoolExhaustedException.class, w.failure());
        assertEquals(0, pool.stats().pending());
    }

    @Test
    void hostsWithNothingLeftAreForgotten() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(1));
        assertEquals(0, pool.hostCountForTesting());
        PooledConnection<FakeTransport> a = connect(A);
        PooledConnection<FakeTransport> b = connect(B);
        assertEquals(2, pool.hostCountForTesting());

        assertSame(OfferVerdict.POOLED, pool.offer(b, true));
        assertEquals(2, pool.hostCountForTesting(), "an idle connection keeps its host");
        RecordingWaiter w = new RecordingWaiter(A);
        pool.acquire(w);
        closeAndReport(markedClosing(a));
        assertEquals(2, pool.hostCountForTesting(), "w now holds A's slot");
        pool.closed(w.connection(), CloseReason.PEER_CLOSED);
        assertEquals(1, pool.hostCountForTesting());

        pool.closeIdle();
        pool.closed(b, CloseReason.PEER_CLOSED);
        assertEquals(0, pool.hostCountForTesting());

        PooledConnection<FakeTransport> c = connect(C);
        RecordingWaiter queued = new RecordingWaiter(C);
        pool.acquire(queued);
        closeAndReport(markedClosing(c));
        pool.closed(queued.connection(), CloseReason.PEER_CLOSED);
        assertEquals(0, pool.hostCountForTesting());

        PooledConnection<FakeTransport> d = connect(D);
        RecordingWaiter cancelled = new RecordingWaiter(D);
        pool.acquire(cancelled);
        assertTrue(pool.cancel(cancelled));
        closeAndReport(markedClosing(d));
        assertEquals(0, pool.hostCountForTesting());
    }

    // ---------------------------------------------------------------------------------------------
    // Closing the pool.

    @Test
    void closeFailsWaitersAndDropsIdleConnections() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(1));
        PooledConnection<FakeTransport> active = connect(A);
        PooledConnection<FakeTransport> idle = connect(B);
        assertSame(OfferVerdict.POOLED, pool.offer(idle, true));
        RecordingWaiter w1 = new RecordingWaiter(A);
        RecordingWaiter w2 = new RecordingWaiter(A);
        pool.acquire(w1);
        pool.acquire(w2);
        assertEquals(2, pool.stats().pending());

        pool.close();

        for (RecordingWaiter w : List.of(w1, w2)) {
            assertEquals(FAILURE, w.onlyCall());
            assertInstanceOf(ClientClosedException.class, w.failure());
        }
        assertEquals(0, pool.stats().pending());
        assertEquals(List.of(idle.transport()), hooks.closed(), "idle ones are dropped; active ones are the transport's to abort");
        assertEquals(ConnState.CLOSING, pool.stateOf(idle));
        assertEquals(ConnState.ACTIVE, pool.stateOf(active));

        RecordingWaiter late = new RecordingWaiter(A);
        pool.acquire(late);
        assertEquals(FAILURE, late.onlyCall());
        assertInstanceOf(ClientClosedException.class, late.failure());
        assertEquals(OfferVerdict.refused(RefuseReason.POOL_CLOSED), pool.offer(active, true));

        pool.close();
        assertEquals(1, hooks.closed().size(), "a second close does nothing");
        assertEquals(1, w1.calls().size());

        closeReportedByTransport(idle);
        closeAndReport(active);
        PoolStats s = pool.stats();
        assertEquals(0, s.open());
        assertEquals(1, s.closedBy(CloseReason.CLIENT_CLOSED));
        assertEquals(1, s.closedBy(CloseReason.REFUSED));
        assertEquals(0, pool.hostCountForTesting());
    }

    @Test
    void connectedAfterCloseReturnsFalseAndTheCallerCloses() {
        newPool(PoolConfig.builder());
        RecordingWaiter w = new RecordingWaiter(A);
        pool.acquire(w);
        PooledConnection<FakeTransport> slot = w.connection();
        pool.close();
        FakeTransport t = new FakeTransport();

        assertFalse(pool.connected(slot, t));

        assertEquals(ConnState.CLOSING, pool.stateOf(slot));
        PoolStats s = pool.stats();
        assertEquals(1, s.opened());
        assertEquals(1, s.open());
        assertEquals(0, s.active());
        assertEquals(List.of(new Event(OPENED, slot, A, null)), listener.events(), "opened, but never acquired");
        assertEquals(List.of(), hooks.closed(), "the caller closes it");

        t.close();
        pool.closed(slot, CloseReason.PEER_CLOSED);
        assertEquals(1, pool.stats().closedBy(CloseReason.CLIENT_CLOSED));
        assertEquals(0, pool.stats().open());
        assertEquals(0, pool.hostCountForTesting());
    }

    // ---------------------------------------------------------------------------------------------
    // The seed scenario, ported from Go.

    /**
     * Go's {@code TestTransportPersistConnLeak}: a burst of requests leases many connections at once,
     * and when they come back only {@code maxIdlePerHost} may stay. Every other one is refused and
     * closed by its caller, so nothing leaks and exactly {@code maxIdlePerHost} stay open.
     */
    @Test
    void TestTransportPersistConnLeak() {
        newPool(PoolConfig.builder().maxIdlePerHost(2));
        List<PooledConnection<FakeTransport>> leased = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            leased.add(connect(A));
        }
        assertEquals(100, pool.stats().active());

        List<PooledConnection<FakeTransport>> pooled = new ArrayList<>();
        List<PooledConnection<FakeTransport>> refused = new ArrayList<>();
        for (PooledConnection<FakeTransport> c : leased) {
            OfferVerdict verdict = pool.offer(c, true);
            if (verdict == OfferVerdict.POOLED) {
                pooled.add(c);
            } else {
                assertEquals(OfferVerdict.refused(RefuseReason.TOO_MANY_IDLE_FOR_HOST), verdict);
                refused.add(c);
            }
        }
        assertEquals(leased.subList(0, 2), pooled);
        assertEquals(98, refused.size());
        assertEquals(100, pool.stats().open(), "refused connections are open until closed");

        for (PooledConnection<FakeTransport> c : refused) {
            closeAndReport(c);
        }

        PoolStats s = pool.stats();
        assertEquals(2, s.open());
        assertEquals(2, s.idle());
        assertEquals(0, s.active());
        assertEquals(100, s.opened());
        assertEquals(98, s.closed());
        assertEquals(98, s.refusedTooManyIdleForHost());
        assertEquals(98, s.refusedTotal());
        assertEquals(98, s.closedBy(CloseReason.REFUSED));
        assertEquals(List.of(), hooks.closed(), "the pool dropped nothing itself");
        for (PooledConnection<FakeTransport> c : refused) {
            assertEquals(1, c.transport().closeCalls());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Regressions: bugs these tests found, now fixed.

    @Test
    void noMaxLifetimeMeansNoLifetimeWhateverTheClockOrigin() {
        ManualClock negative = new ManualClock(-Duration.ofSeconds(10).toNanos());
        pool = new ConnectionPool<>(PoolConfig.defaults(), negative, listener, hooks);
        PooledConnection<FakeTransport> c = connect(A);

        assertSame(OfferVerdict.POOLED, pool.offer(c, true));
        assertSame(c, takeIdle(A));
    }

    @Test
    void aWaiterCancelledBeforeAcquireRunsLeasesNothingAndQueuesNothing() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> fit = connect(A);
        assertSame(OfferVerdict.POOLED, pool.offer(fit, true));
        RecordingWaiter cancelled = new RecordingWaiter(A);
        assertTrue(pool.cancel(cancelled), "its timeout fired before acquire ran");

        pool.acquire(cancelled);

        assertEquals(List.of(), cancelled.calls());
        assertEquals(ConnState.IDLE, pool.stateOf(fit), "the idle connection must stay in the pool");
        assertEquals(0, pool.stats().pending());
        assertEquals(0, pool.stats().reused());
        assertTrue(hooks.closed().isEmpty());
    }

    @Test
    void connectingASlotTwiceFailsWithoutSideEffects() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> c = connect(A);
        FakeTransport first = c.transport();

        assertThrows(IllegalStateException.class, () -> pool.connected(c, new FakeTransport()));

        assertSame(first, c.transport());
        assertEquals(1, pool.stats().opened());
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers: the test plays the transport.

    private ConnectionPool<FakeTransport> newPool(PoolConfig.Builder config) {
        pool = new ConnectionPool<>(config.build(), clock, listener, hooks);
        return pool;
    }

    /** Acquires with a fresh waiter, expects a connect permit, and reports the connection established. */
    PooledConnection<FakeTransport> connect(PoolKey key) {
        RecordingWaiter w = new RecordingWaiter(key);
        pool.acquire(w);
        assertEquals(CONNECT_PERMIT, w.onlyCall());
        PooledConnection<FakeTransport> slot = w.connection();
        assertNull(slot.transport());
        assertEquals(ConnState.CONNECTING, pool.stateOf(slot));
        assertTrue(pool.connected(slot, new FakeTransport()));
        assertEquals(ConnState.ACTIVE, pool.stateOf(slot));
        return slot;
    }

    /** Acquires with a fresh waiter and expects an idle connection. */
    private PooledConnection<FakeTransport> takeIdle(PoolKey key) {
        RecordingWaiter w = new RecordingWaiter(key);
        pool.acquire(w);
        assertEquals(CONNECTION, w.onlyCall());
        assertEquals(ConnState.ACTIVE, pool.stateOf(w.connection()));
        return w.connection();
    }

    private PooledConnection<FakeTransport> markedClosing(PooledConnection<FakeTransport> c) {
        assertTrue(pool.markClosing(c, CloseReason.ABORTED));
        return c;
    }

    /** The owner closes the socket and the transport reports the close. */
    private void closeAndReport(PooledConnection<FakeTransport> c) {
        c.transport().close();
        pool.closed(c, CloseReason.PEER_CLOSED);
    }

    /** The close the pool asked the hooks for completes; the reason given is the transport's guess. */
    private void closeReportedByTransport(PooledConnection<FakeTransport> c) {
        assertTrue(hooks.closed().contains(c.transport()), "the pool asked to close " + c);
        pool.closed(c, CloseReason.PEER_CLOSED);
    }

    @SuppressWarnings("unchecked")
    private static ConnectionPool<FakeTransport>[] newArray() {
        return (ConnectionPool<FakeTransport>[]) new ConnectionPool<?>[1];
    }

    private static <E> E last(List<E> list) {
        assertFalse(list.isEmpty());
        return list.get(list.size() - 1);
    }

    @Test
    void aReleaseFromAnEarlierLeaseFailsLoudlyAndLeavesTheLaterLeaseAlone() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> c = connect(A);
        int first = c.lease();
        assertSame(OfferVerdict.POOLED, pool.offer(c, first, true, Long.MAX_VALUE));
        assertSame(c, takeIdle(A));
        int second = c.lease();
        assertEquals(first + 1, second);
        assertThrows(IllegalStateException.class, () -> pool.offer(c, first, true, Long.MAX_VALUE));
        assertEquals(ConnState.ACTIVE, pool.stateOf(c), "the later lease still holds the connection");
        assertSame(OfferVerdict.POOLED, pool.offer(c, second, true, Long.MAX_VALUE));
        assertThrows(IllegalStateException.class, () -> pool.offer(c, second, true, Long.MAX_VALUE), "released twice");
    }

    /** Issue 10, item 12: every counted refusal reaches the listener, the closing-connection one included. */
    @Test
    void offerOfAConnectionAlreadyClosingIsReportedToTheListener() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> c = markedClosing(connect(A));
        listener.clear();

        OfferVerdict verdict = pool.offer(c, true);

        assertEquals(OfferVerdict.refused(RefuseReason.NOT_REUSABLE), verdict);
        assertEquals(1, pool.stats().refusedNotReusable());
        assertEquals(List.of(new Event(RELEASED, c, A, verdict)), listener.events());
    }

    /** Issue 10, item 12: a server idle limit with nothing left after the safety margin is not kept. */
    @Test
    void aServerIdleLimitOfZeroIsNotPooled() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> c = connect(A);

        assertEquals(OfferVerdict.refused(RefuseReason.NOT_REUSABLE), pool.offer(c, true, 0));
    }

    /**
     * Issue 10, item 12: an acquire whose waiter is cancelled while the pool looks at an idle
     * connection leaves that connection exactly as it was: idle, with the deadline the server's
     * {@code Keep-Alive} gave it, never released and pooled again with the client's idle timeout.
     */
    @Test
    void anAcquireCancelledWhileCheckingAnIdleConnectionLeavesItIdleWithItsDeadline() {
        RecordingWaiter[] cancelDuringCheck = new RecordingWaiter[1];
        TransportHooks<FakeTransport> cancellingHooks = new TransportHooks<>() {
            @Override
            public boolean isOpen(FakeTransport t) {
                if (cancelDuringCheck[0] != null) {
                    pool.cancel(cancelDuringCheck[0]); // the waiter's timeout fires on another thread, here made deterministic
                }
                return t.isOpen();
            }

            @Override
            public void close(FakeTransport t) {
                t.close();
            }
        };
        pool = new ConnectionPool<>(PoolConfig.builder().idleTimeout(Duration.ofSeconds(30)).build(), clock, listener, cancellingHooks);
        PooledConnection<FakeTransport> c = connect(A);
        assertSame(OfferVerdict.POOLED, pool.offer(c, true, Duration.ofSeconds(5).toNanos()));
        listener.clear();
        RecordingWaiter w = new RecordingWaiter(A);
        cancelDuringCheck[0] = w;

        pool.acquire(w);

        cancelDuringCheck[0] = null;
        assertEquals(List.of(), w.calls());
        assertEquals(ConnState.IDLE, pool.stateOf(c));
        assertEquals(List.of(), listener.events(), "no lease and no release happened");
        assertEquals(Duration.ofSeconds(5).toNanos(), pool.expireIfIdle(c), "the server's idle limit still holds");
        assertEquals(0, pool.stats().reused());
    }

    @Test
    void cancelAnswersWhetherTheWaiterWasStillWaitingAndForgetsItsHost() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(1));
        PooledConnection<FakeTransport> c = connect(A);
        boolean[] queuedCalled = new boolean[1];
        RecordingWaiter w = new RecordingWaiter(A) {
            @Override
            protected void onQueued() {
                queuedCalled[0] = true;
            }
        };
        pool.acquire(w);
        assertTrue(queuedCalled[0], "onQueued tells the waiter to start its acquire timeout");
        assertTrue(pool.cancel(w));
        assertFalse(pool.cancel(w), "already withdrawn");
        assertEquals(0, pool.stats().pending());
        closeAndReport(c);
        assertEquals(0, pool.hostCountForTesting(), "nothing left of host A");
        assertSame(pool.config(), pool.config());
        assertEquals(1, pool.config().maxConnectionsPerHost());
    }

    @Test
    void markClosingTakesAnIdleConnectionOutOfThePool() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> c = connect(A);
        assertSame(OfferVerdict.POOLED, pool.offer(c, true));

        assertTrue(pool.markClosing(c, CloseReason.ABORTED));

        assertEquals(ConnState.CLOSING, pool.stateOf(c));
        assertEquals(0, pool.stats().idle());
        assertFalse(pool.markClosing(c, CloseReason.TIMEOUT), "already closing");
        PooledConnection<FakeTransport> fresh = connect(A);
        assertNotSame(c, fresh, "a closing connection is never leased");
        closeAndReport(c);
        assertFalse(pool.markClosing(c, CloseReason.TIMEOUT), "closed");
        assertEquals(1L, pool.stats().closedBy(CloseReason.ABORTED));
    }

    @Test
    void aHandOffStartsANewLease() {
        newPool(PoolConfig.builder().maxConnectionsPerHost(1));
        PooledConnection<FakeTransport> c = connect(A);
        int first = c.lease();
        RecordingWaiter w = new RecordingWaiter(A);
        pool.acquire(w);
        assertSame(OfferVerdict.HANDED_OFF, pool.offer(c, first, true, Long.MAX_VALUE));
        assertEquals(first + 1, c.lease());
    }

    @Test
    void theLifetimeRunsFromTheSlotsCreation() {
        newPool(PoolConfig.builder().maxLifetime(Duration.ofSeconds(60)));
        PooledConnection<FakeTransport> c = connect(A);
        clock.advance(Duration.ofSeconds(59));
        assertSame(OfferVerdict.POOLED, pool.offer(c, true));
        assertEquals(Duration.ofSeconds(1).toNanos(), pool.expireIfIdle(c), "one second of its lifetime is left");
    }

    @Test
    void noPublicMethodLeavesThePoolLockHeld() {
        newPool(PoolConfig.builder());
        PooledConnection<FakeTransport> c = connect(A);
        pool.stats();
        pool.stateOf(c);
        pool.hostCountForTesting();
        pool.recordRetry(A, "GET", 1, new IOException("x"));
        pool.markClosing(c, CloseReason.ABORTED);
        pool.cancel(new RecordingWaiter(A));
        pool.offer(c, true);
        assertFalse(pool.lockHeldByCurrentThread());
    }
}
