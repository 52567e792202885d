package io.keepwell.pool;

import io.keepwell.pool.testing.FakeTransport;
import io.keepwell.pool.testing.FakeTransportHooks;
import io.keepwell.pool.testing.ManualClock;
import io.keepwell.pool.testing.RecordingPoolListener;
import io.keepwell.pool.testing.RecordingWaiter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import static io.keepwell.pool.testing.RecordingWaiter.Callback.CONNECTION;
import static io.keepwell.pool.testing.RecordingWaiter.Callback.CONNECT_PERMIT;
import static io.keepwell.pool.testing.RecordingWaiter.Callback.FAILURE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The pool with multiplexed hosts against a reference model: random sequences of acquire,
 * connectedMultiplexed (random limit, 0 included), connected (ALPN fallback), connectFailed then
 * closed, releaseStream, HTTP/1.1 offer, retire(GOAWAY), maxStreamsChanged, peer close, close
 * reports, clock steps with idle expiry, cancel, closeIdle and close. Both hosts may multiplex; at
 * most 2 connections and 3 waiters per host, 1 idle per host and 1 in all.
 *
 * <p>Checked after every step: each connection's state, streams and the pool's and hosts' counts
 * agree with the model; a stream is taken only below its connection's limit; every waiter is
 * answered at most once, and is answered, cancelled or still queued (never lost); the queue is
 * served oldest first; at most one coalescing connect per host; a waiter waits only while it must
 * (a coalescing connect in flight or the host at its cap, and no free stream slot); the waiters a
 * failed coalescing connect fails are its own, with its exception.
 */
class MultiplexedPoolModelTest {

    private static final PoolKey A = new PoolKey("https", "a.example", 443);
    private static final PoolKey B = new PoolKey("https", "b.example", 443);
    private static final List<PoolKey> KEYS = List.of(A, B);
    private static final int MAX_CONNECTIONS = 2;
    private static final int MAX_PENDING = 3;
    private static final long IDLE_TIMEOUT = Duration.ofSeconds(10).toNanos();

    @Property(tries = 300)
    void multiplexedPoolAgreesWithTheModel(@ForAll("chains") ActionChain<Model> chain) {
        chain.withInvariant("pool agrees with the model", Model::check).run();
    }

    @Provide
    Arbitrary<ActionChain<Model>> chains() {
        return ActionChain.startWith(Model::new)
                .withAction(5, act("acquire", Model::acquire))
                .withAction(3, act("connectedMultiplexed", Model::connectedMultiplexed))
                .withAction(1, act("connected", Model::connectedHttp1))
                .withAction(1, act("connectFailed", Model::connectFailed))
                .withAction(5, act("releaseStream", Model::releaseStream))
                .withAction(1, act("offer", Model::offerHttp1))
                .withAction(1, act("retire", Model::retire))
                .withAction(1, act("maxStreamsChanged", Model::maxStreamsChanged))
                .withAction(1, act("peerClose", Model::peerClose))
                .withAction(2, act("closeReported", Model::closeReported))
                .withAction(1, act("advance", Model::advanceAndExpire))
                .withAction(1, act("cancel", Model::cancel))
                .withAction(1, act("closeIdle", (m, i) -> m.closeIdle(i)))
                .withAction(1, act("close", (m, i) -> m.closeRarely(i)))
                .withMaxTransformations(60);
    }

    private static Action.Independent<Model> act(String name, BiConsumer<Model, Integer> op) {
        return () -> Arbitraries.integers().between(0, 23)
                .map(i -> Transformer.mutate(name + "(" + i + ")", m -> m.step(op, i)));
    }

    enum S { CONNECTING, ACTIVE, IDLE, CLOSING, CLOSED }

    /** The model's view of one connection. */
    static final class MConn {
        final PooledConnection<FakeTransport> real;
        final PoolKey key;
        final RecordingWaiter permitHolder;
        S state = S.CONNECTING;
        boolean coalescing;     // the host's connect that may come up multiplexed, in flight
        boolean multiplexed;
        int maxStreams;
        int streams;            // slots the model's requests hold
        boolean draining;
        CloseReason drainReason;
        boolean http1Held;      // an HTTP/1.1 lease is held
        long idleDeadline;
        long idleSince;

        MConn(PooledConnection<FakeTransport> real, RecordingWaiter permitHolder, boolean coalescing) {
            this.real = real;
            this.key = real.key();
            this.permitHolder = permitHolder;
            this.coalescing = coalescing;
        }

        boolean transportOpen() {
            return real.transport() != null && real.transport().isOpen();
        }

        /** Whether the pool may give it a new stream now. */
        boolean takesStream() {
            return state == S.ACTIVE && multiplexed && !draining && streams < maxStreams && transportOpen();
        }

        @Override
        public String toString() {
            return real + " " + state + (multiplexed ? " mux " + streams + "/" + maxStreams : "")
                    + (draining ? " draining" : "") + (coalescing ? " coalescing" : "");
        }
    }

    /** One step's kind, for the rules that depend on it. */
    enum Kind { ACQUIRE, FALLBACK, FAIL_OR_CLOSE, OTHER }

    static final class Model {
        final ManualClock clock = new ManualClock();
        final FakeTransportHooks hooks = new FakeTransportHooks().multiplexing(k -> true);
        final ConnectionPool<FakeTransport> pool = new ConnectionPool<>(PoolConfig.builder()
                .maxConnectionsPerHost(MAX_CONNECTIONS).maxPendingAcquires(MAX_PENDING)
                .maxIdlePerHost(1).maxIdleTotal(1).idleTimeout(Duration.ofNanos(IDLE_TIMEOUT)).build(),
                clock, new RecordingPoolListener(), hooks);
        final List<MConn> conns = new ArrayList<>();
        final Map<PooledConnection<FakeTransport>, MConn> byReal = new IdentityHashMap<>();
        final Map<PoolKey, Deque<RecordingWaiter>> queue = new HashMap<>();
        final Map<RecordingWaiter, MConn> waitsOn = new IdentityHashMap<>(); // queued while this connect coalesced
        final List<RecordingWaiter> waiters = new ArrayList<>();
        final Map<RecordingWaiter, Integer> seen = new IdentityHashMap<>();  // callbacks processed
        final List<RecordingWaiter> cancelled = new ArrayList<>();
        final List<Hold> holds = new ArrayList<>();                         // stream slots held
        boolean closed;
        boolean closeIdleRequested;
        Kind kind = Kind.OTHER;
        MConn handedFrom;        // the connection whose release may hand a slot (or lease) on in this step

        record Hold(RecordingWaiter owner, MConn conn) {
        }

        Model() {
            for (PoolKey k : KEYS) queue.put(k, new ArrayDeque<>());
        }

        void step(BiConsumer<Model, Integer> op, int i) {
            kind = Kind.OTHER;
            handedFrom = null;
            op.accept(this, i);
        }

        // ----- actions

        void acquire(int i) {
            kind = Kind.ACQUIRE;
            PoolKey key = KEYS.get(i % 2);
            RecordingWaiter w = new RecordingWaiter(key);
            waiters.add(w);
            seen.put(w, 0);
            RecordingWaiter.Callback predicted;
            boolean stream = false;
            if (closed) {
                predicted = FAILURE;
            } else {
                closeIdleRequested = false;
                if (conns.stream().anyMatch(c -> c.key.equals(key) && c.takesStream())) {
                    predicted = CONNECTION;
                    stream = true;
                } else {
                    MConn idle = null;
                    for (MConn c : idleOf(key)) { // most recently used first
                        if (c.transportOpen() && clock.nanoTime() - c.idleDeadline < 0) {
                            idle = c;
                            break;
                        }
                        c.state = S.CLOSING; // the pool drops it and asks the hooks to close it
                    }
                    MConn coalescing = coalescingOf(key);
                    if (idle != null) {
                        predicted = CONNECTION;
                    } else if (coalescing != null) {
                        predicted = queue.get(key).size() < MAX_PENDING ? null : FAILURE;
                        if (predicted == null) waitsOn.put(w, coalescing);
                    } else if (open(key) < MAX_CONNECTIONS) {
                        predicted = CONNECT_PERMIT;
                    } else {
                        predicted = queue.get(key).size() < MAX_PENDING ? null : FAILURE;
                    }
                }
            }
            pool.acquire(w);
            if (predicted == null) {
                assertFalse(w.answered(), "queued: " + w.calls());
                queue.get(key).addLast(w);
            } else {
                assertEquals(List.of(predicted), w.calls(), "acquire on " + key + (stream ? " (a stream slot is free)" : ""));
            }
            sync();
        }

        void connectedMultiplexed(int i) {
            MConn c = pick(i, x -> x.state == S.CONNECTING);
            if (c == null) return;
            int max = i % 4; // 0 included: the permit holder's stream counts even then
            boolean open = pool.connectedMultiplexed(c.real, new FakeTransport(), max);
            assertEquals(!closed, open);
            c.coalescing = false;
            c.multiplexed = true;
            c.maxStreams = max;
            if (open) {
                c.state = S.ACTIVE;
                c.streams = 1;
                holds.add(new Hold(c.permitHolder, c));
            } else {
                c.state = S.CLOSING;
                c.real.transport().close(); // the caller closes
            }
            sync();
        }

        void connectedHttp1(int i) {
            MConn c = pick(i, x -> x.state == S.CONNECTING);
            if (c == null) return;
            kind = Kind.FALLBACK;
            boolean open = pool.connected(c.real, new FakeTransport());
            assertEquals(!closed, open);
            c.coalescing = false;
            if (open) {
                c.state = S.ACTIVE;
                c.http1Held = true;
            } else {
                c.state = S.CLOSING;
                c.real.transport().close();
            }
            sync();
        }

        void connectFailed(int i) {
            MConn c = pick(i, x -> x.state == S.CONNECTING);
            if (c == null) return;
            kind = Kind.FAIL_OR_CLOSE;
            IOException cause = new IOException("connect " + c.real + " failed");
            List<RecordingWaiter> own = queue.get(c.key).stream().filter(w -> waitsOn.get(w) == c).toList();
            List<RecordingWaiter> queuedBefore = new ArrayList<>(queue.get(c.key));
            pool.connectFailed(c.real, cause);
            for (RecordingWaiter w : own) {
                assertEquals(List.of(FAILURE), w.calls(), "waited on the failed connect " + c);
                assertSame(cause, w.failure());
            }
            for (RecordingWaiter w : queuedBefore) {
                if (w.answered()) {
                    assertSame(cause, w.failure(), "only failures, all with the connect's exception");
                }
            }
            c.coalescing = false;
            sync();
            for (RecordingWaiter w : queuedBefore) {
                assertEquals(own.contains(w), w.answered(), "failed exactly the waiters on the failed connect: " + w);
            }
            kind = Kind.OTHER;
            pool.closed(c.real, CloseReason.ABORTED);
            freed(c);
            sync();
        }

        void releaseStream(int i) {
            if (holds.isEmpty()) return;
            Hold h = holds.remove(i % holds.size());
            MConn c = h.conn();
            c.streams--;
            OfferVerdict predicted = null; // null: KEPT or HANDED_OFF, told apart by the callbacks
            if (c.state == S.CLOSING || c.state == S.CLOSED) {
                predicted = OfferVerdict.KEPT;
            } else if (c.draining) {
                predicted = c.streams > 0 ? OfferVerdict.KEPT : OfferVerdict.refused(
                        c.drainReason == CloseReason.GOAWAY ? RefuseReason.GOAWAY_RECEIVED : RefuseReason.NOT_REUSABLE);
            } else if (c.streams == 0) {
                if (!closed && !queue.get(c.key).isEmpty() && c.transportOpen() && c.maxStreams > 0) {
                    predicted = OfferVerdict.HANDED_OFF;
                } else {
                    predicted = park(c);
                }
            }
            handedFrom = c;
            OfferVerdict verdict = pool.releaseStream(c.real);
            if (predicted != null) {
                assertEquals(predicted, verdict, "release of a stream of " + c);
            } else {
                assertTrue(verdict == OfferVerdict.KEPT || verdict == OfferVerdict.HANDED_OFF, "verdict " + verdict);
            }
            int before = c.streams;
            sync();
            assertEquals(verdict == OfferVerdict.HANDED_OFF, c.streams > before,
                    "HANDED_OFF exactly when the slot went to a waiter: " + verdict + " " + c);
            afterVerdict(c, verdict);
        }

        void offerHttp1(int i) {
            List<MConn> held = conns.stream().filter(c -> c.http1Held).toList();
            if (held.isEmpty()) return;
            MConn c = held.get(i % held.size());
            boolean reusable = i % 4 != 3;
            c.http1Held = false;
            OfferVerdict predicted;
            if (c.state == S.CLOSING || c.state == S.CLOSED) {
                predicted = OfferVerdict.refused(RefuseReason.NOT_REUSABLE);
            } else if (!reusable) {
                predicted = closed ? OfferVerdict.refused(RefuseReason.POOL_CLOSED) : OfferVerdict.refused(RefuseReason.NOT_REUSABLE);
            } else {
                predicted = park(c);
            }
            handedFrom = c;
            OfferVerdict verdict = pool.offer(c.real, c.real.lease(), reusable, Long.MAX_VALUE);
            assertEquals(predicted, verdict, "offer of " + c);
            sync();
            assertEquals(verdict == OfferVerdict.HANDED_OFF, c.http1Held, "handed on exactly when HANDED_OFF");
            if (c.state != S.CLOSING && c.state != S.CLOSED) afterVerdict(c, verdict);
        }

        void retire(int i) {
            MConn c = pick(i, x -> x.state != S.CLOSED);
            if (c == null) return;
            boolean predicted = c.state != S.CLOSING && !(c.state == S.ACTIVE && c.multiplexed);
            boolean mustClose = pool.retire(c.real, CloseReason.GOAWAY);
            assertEquals(predicted, mustClose, "retire of " + c);
            if (c.state == S.ACTIVE && c.multiplexed && !c.draining) {
                c.draining = true;
                c.drainReason = CloseReason.GOAWAY;
            }
            if (mustClose) {
                c.state = S.CLOSING;
                c.coalescing = false;
                if (c.real.transport() == null) { // a connect: aborted, and reported at once
                    kind = Kind.FAIL_OR_CLOSE;
                    pool.closed(c.real, CloseReason.ABORTED);
                    freed(c);
                } else {
                    c.real.transport().close();
                }
            }
            sync();
        }

        void maxStreamsChanged(int i) {
            MConn c = pick(i, x -> x.multiplexed);
            if (c == null) return;
            int max = (i / 3) % 5;
            pool.maxStreamsChanged(c.real, max);
            c.maxStreams = max;
            if (c.state == S.IDLE && max == 0) {
                c.state = S.CLOSING; // it can serve nobody: the pool drops it
            }
            sync();
        }

        void peerClose(int i) {
            MConn c = pick(i, x -> x.state == S.ACTIVE || x.state == S.IDLE);
            if (c == null) return;
            c.real.transport().closeByPeer();
            if (i % 2 == 0) { // else reported later, or found dead by the pool
                kind = Kind.FAIL_OR_CLOSE;
                pool.closed(c.real, CloseReason.PEER_CLOSED);
                freed(c);
                sync();
            }
        }

        void closeReported(int i) {
            MConn c = pick(i, x -> x.state == S.CLOSING);
            if (c == null) return;
            assertFalse(c.transportOpen(), "closing but open: " + c);
            kind = Kind.FAIL_OR_CLOSE;
            pool.closed(c.real, CloseReason.PEER_CLOSED);
            freed(c);
            sync();
        }

        void advanceAndExpire(int i) {
            clock.advance(Duration.ofSeconds(i % 12));
            for (MConn c : new ArrayList<>(conns)) {
                long next = pool.expireIfIdle(c.real);
                if (c.state != S.IDLE) {
                    assertEquals(-1, next, "not idle: " + c);
                } else if (!c.transportOpen() || clock.nanoTime() - c.idleDeadline >= 0) {
                    assertEquals(-1, next);
                    c.state = S.CLOSING;
                } else {
                    assertEquals(c.idleDeadline - clock.nanoTime(), next);
                }
            }
            sync();
        }

        void cancel(int i) {
            List<RecordingWaiter> queued = new ArrayList<>();
            for (PoolKey k : KEYS) queued.addAll(queue.get(k));
            if (queued.isEmpty()) return;
            RecordingWaiter w = queued.get(i % queued.size());
            assertTrue(pool.cancel(w));
            queue.get(w.key()).remove(w);
            cancelled.add(w);
            assertFalse(pool.cancel(w));
            sync();
        }

        void closeIdle(int i) {
            if (i % 3 != 0) return;
            pool.closeIdle();
            closeIdleRequested = true;
            for (MConn c : conns) {
                if (c.state == S.IDLE) c.state = S.CLOSING;
            }
            sync();
        }

        void closeRarely(int i) {
            if (i != 0) return;
            kind = Kind.FAIL_OR_CLOSE;
            pool.close();
            if (!closed) {
                closed = true;
                for (MConn c : conns) {
                    if (c.state == S.IDLE) c.state = S.CLOSING;
                }
            }
            sync();
        }

        // ----- model rules

        /** What the pool does with an active connection nobody uses now (HTTP/1.1 offer, or the last stream). */
        private OfferVerdict park(MConn c) {
            if (closed) return OfferVerdict.refused(RefuseReason.POOL_CLOSED);
            if (!c.transportOpen() || (c.multiplexed && c.maxStreams == 0)) return OfferVerdict.refused(RefuseReason.NOT_REUSABLE);
            if (!queue.get(c.key).isEmpty()) return OfferVerdict.HANDED_OFF;
            if (closeIdleRequested) return OfferVerdict.refused(RefuseReason.CLOSING_IDLE);
            if (!idleOf(c.key).isEmpty()) return OfferVerdict.refused(RefuseReason.TOO_MANY_IDLE_FOR_HOST);
            return OfferVerdict.POOLED;
        }

        private void afterVerdict(MConn c, OfferVerdict verdict) {
            if (verdict == OfferVerdict.POOLED) {
                for (MConn other : conns) {
                    if (other.state == S.IDLE) other.state = S.CLOSING; // evicted: one idle in all
                }
                c.state = S.IDLE;
                c.idleDeadline = clock.nanoTime() + IDLE_TIMEOUT;
                c.idleSince = clock.nanoTime();
            } else if (!verdict.isAccepted()) {
                c.state = S.CLOSING;
                c.real.transport().close(); // a refusal is the caller's to close
            }
        }

        /** A connection's close was reported. */
        private void freed(MConn c) {
            c.state = S.CLOSED;
            c.coalescing = false;
        }

        /** Processes every callback the last action produced, checking each against the model. */
        private void sync() {
            List<RecordingWaiter> answeredNow = new ArrayList<>();
            List<MConn> coalescingPermits = new ArrayList<>();
            for (RecordingWaiter w : waiters) {
                List<RecordingWaiter.Callback> calls = w.calls();
                assertTrue(calls.size() <= 1, "answered more than once: " + calls);
                if (calls.size() == seen.get(w)) continue;
                seen.put(w, calls.size());
                assertFalse(cancelled.contains(w), "a cancelled waiter was answered");
                answeredNow.add(w);
                Deque<RecordingWaiter> q = queue.get(w.key());
                if (q.contains(w)) {
                    if (kind != Kind.FAIL_OR_CLOSE || calls.get(0) != FAILURE) {
                        assertSame(q.peekFirst(), w, "the queue is served oldest first");
                    }
                    q.remove(w);
                }
                waitsOn.remove(w);
                switch (calls.get(0)) {
                    case CONNECT_PERMIT -> {
                        MConn slot = new MConn(w.connection(), w, kind != Kind.FALLBACK);
                        assertEquals(ConnState.CONNECTING, pool.stateOf(slot.real));
                        if (slot.coalescing && coalescingOf(w.key()) != null) {
                            fail("a second coalescing connect to " + w.key() + ": " + coalescingOf(w.key()));
                        }
                        conns.add(slot);
                        byReal.put(slot.real, slot);
                        if (slot.coalescing) coalescingPermits.add(slot);
                    }
                    case CONNECTION -> {
                        MConn c = byReal.get(w.connection());
                        assertNotNull(c, "a connection the model does not know");
                        if (c.multiplexed) {
                            if (c.state == S.IDLE) {
                                assertEquals(Kind.ACQUIRE, kind, "an idle connection is leased by acquire only");
                                c.state = S.ACTIVE;
                            }
                            assertEquals(S.ACTIVE, c.state, "a stream on " + c);
                            assertFalse(c.draining, "a stream on a draining connection " + c);
                            assertTrue(c.streams < c.maxStreams, "a stream beyond the limit at take time: " + c);
                            c.streams++;
                            holds.add(new Hold(w, c));
                        } else {
                            assertFalse(c.http1Held, "an HTTP/1.1 connection leased twice: " + c);
                            if (c.state == S.IDLE) {
                                assertEquals(Kind.ACQUIRE, kind);
                                c.state = S.ACTIVE;
                            } else {
                                assertSame(handedFrom, c, "an active HTTP/1.1 connection is handed on only by its offer");
                            }
                            c.http1Held = true;
                        }
                    }
                    case FAILURE -> assertTrue(closed || kind == Kind.ACQUIRE || kind == Kind.FAIL_OR_CLOSE,
                            "a failure outside acquire, a failed connect or close: " + w.failure());
                }
            }
            for (MConn slot : coalescingPermits) {
                // with no connection taking streams, the waiters left have nothing but this connect: they share its fate
                boolean shared = conns.stream().anyMatch(c -> c.key.equals(slot.key) && c.state == S.ACTIVE && c.multiplexed && !c.draining);
                if (!shared) {
                    for (RecordingWaiter w : queue.get(slot.key)) waitsOn.put(w, slot);
                }
            }
            if (kind != Kind.FALLBACK) {
                for (PoolKey k : KEYS) {
                    long permits = answeredNow.stream().filter(w -> w.key().equals(k) && w.calls().get(0) == CONNECT_PERMIT).count();
                    assertTrue(permits <= 1, permits + " connects to " + k + " in one step, each may come up multiplexed");
                }
            }
        }

        // ----- queries

        private List<MConn> idleOf(PoolKey key) {
            // most recently pooled first, as the pool takes them
            List<MConn> idle = new ArrayList<>(conns.stream().filter(c -> c.key.equals(key) && c.state == S.IDLE).toList());
            idle.sort((x, y) -> Long.compare(y.idleSince, x.idleSince));
            return idle;
        }

        private MConn coalescingOf(PoolKey key) {
            return conns.stream().filter(c -> c.key.equals(key) && c.coalescing && c.state == S.CONNECTING).findFirst().orElse(null);
        }

        private int open(PoolKey key) {
            return (int) conns.stream().filter(c -> c.key.equals(key) && c.state != S.CLOSED).count();
        }

        private int count(PoolKey key, S state) {
            return (int) conns.stream().filter(c -> c.key.equals(key) && c.state == state).count();
        }

        private int streams(PoolKey key) {
            return conns.stream().filter(c -> c.key.equals(key)).mapToInt(c -> c.streams).sum();
        }

        private MConn pick(int i, java.util.function.Predicate<MConn> p) {
            List<MConn> in = conns.stream().filter(p).toList();
            return in.isEmpty() ? null : in.get(i % in.size());
        }

        // ----- invariants

        void check() {
            int streams = 0;
            for (MConn c : conns) {
                assertEquals(c.state.name(), pool.stateOf(c.real).name(), "state of " + c);
                assertEquals(c.multiplexed, c.real.isMultiplexed(), "multiplexed " + c);
                assertTrue(c.streams >= 0, "streams of " + c);
                long held = holds.stream().filter(h -> h.conn() == c).count();
                assertEquals(held, c.streams, "slots held on " + c);
                if (c.state == S.ACTIVE && c.multiplexed) {
                    assertTrue(c.streams > 0, "active and multiplexed with no stream: " + c);
                }
                if (c.state == S.IDLE) assertEquals(0, c.streams, "idle with a stream: " + c);
                streams += c.streams;
            }
            PoolStats stats = pool.stats();
            int pending = queue.values().stream().mapToInt(Deque::size).sum();
            assertEquals(streams, stats.streams(), "streams");
            assertEquals(pending, stats.pending(), "pending");
            assertEquals(conns.stream().filter(c -> c.state != S.CLOSED).count(), (long) stats.open(), "open");
            Map<PoolKey, PoolStats> byHost = pool.statsByHost();
            for (PoolKey k : KEYS) {
                PoolStats expected = PoolStats.current(open(k), count(k, S.IDLE), count(k, S.ACTIVE), count(k, S.CONNECTING),
                        queue.get(k).size(), streams(k));
                assertEquals(expected, pool.stats(k), "stats of " + k);
                if (expected.equals(PoolStats.EMPTY)) {
                    assertFalse(byHost.containsKey(k), "a host with nothing left is forgotten: " + k);
                } else {
                    assertEquals(expected, byHost.get(k));
                }
                long coalescing = conns.stream().filter(c -> c.key.equals(k) && c.coalescing && c.state == S.CONNECTING).count();
                assertTrue(coalescing <= 1, "coalescing connects to " + k + ": " + coalescing);
                if (!closed && !queue.get(k).isEmpty()) {
                    assertTrue(coalescingOf(k) != null || open(k) >= MAX_CONNECTIONS,
                            "a waiter of " + k + " waits with room and no connect to wait for: " + conns);
                    for (MConn c : conns) {
                        if (c.key.equals(k)) assertFalse(c.takesStream(), "a waiter of " + k + " waits while " + c + " has a free slot");
                    }
                    assertEquals(0, count(k, S.IDLE), "a waiter of " + k + " waits while a connection is idle");
                }
                for (RecordingWaiter w : queue.get(k)) assertFalse(w.answered(), "queued but answered");
            }
            for (RecordingWaiter w : waiters) {
                assertTrue(w.answered() || cancelled.contains(w) || queue.get(w.key()).contains(w), "a waiter was lost: " + w);
            }
            if (closed) assertEquals(0, pending, "no waiter left once closed");
        }
    }
}
