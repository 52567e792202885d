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

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import static io.keepwell.pool.testing.RecordingWaiter.Callback.CONNECTION;
import static io.keepwell.pool.testing.RecordingWaiter.Callback.CONNECT_PERMIT;
import static io.keepwell.pool.testing.RecordingWaiter.Callback.FAILURE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pool against a small reference model: random sequences of acquire, offer, cancel, connect
 * success and failure, peer close, expiry, {@code closeIdle()} and {@code close()}, with the
 * invariants checked after every step (issue 10). Two hosts, at most 2 connections and 2 waiters
 * per host, 1 idle per host and 1 idle in all, so every cap and the cross-host eviction are hit.
 */
class ConnectionPoolModelTest {

    private static final PoolKey A = new PoolKey("http", "a.example", 80);
    private static final PoolKey B = new PoolKey("http", "b.example", 80);
    private static final List<PoolKey> KEYS = List.of(A, B);
    private static final int MAX_CONNECTIONS = 2;
    private static final int MAX_PENDING = 2;
    private static final long IDLE_TIMEOUT = Duration.ofSeconds(10).toNanos();
    private static final long SERVER_IDLE = Duration.ofSeconds(3).toNanos();

    @Property(tries = 1000)
    void poolAgreesWithTheModel(@ForAll("chains") ActionChain<PoolModel> chain) {
        chain.withInvariant("pool agrees with the model", PoolModel::check).run();
    }

    @Provide
    Arbitrary<ActionChain<PoolModel>> chains() {
        return ActionChain.startWith(PoolModel::new)
                .withAction(4, act("acquire", PoolModel::acquire))
                .withAction(3, act("connected", PoolModel::connected))
                .withAction(1, act("connectFailed", PoolModel::connectFailed))
                .withAction(4, act("offer", PoolModel::offer))
                .withAction(2, act("cancel", PoolModel::cancel))
                .withAction(2, act("peerClose", PoolModel::peerClose))
                .withAction(3, act("closeReported", PoolModel::closeReported))
                .withAction(2, act("advance", PoolModel::advanceAndExpire))
                .withAction(1, act("closeIdle", (m, i) -> m.closeIdle()))
                .withAction(1, act("close", (m, i) -> m.closeAfterMany(i)))
                .withMaxTransformations(50);
    }

    private static Action.Independent<PoolModel> act(String name, BiConsumer<PoolModel, Integer> op) {
        return () -> Arbitraries.integers().between(0, 11)
                .map(i -> Transformer.mutate(name + "(" + i + ")", m -> op.accept(m, i)));
    }

    enum S { CONNECTING, ACTIVE, IDLE, CLOSING, CLOSED }

    /** The model's view of one connection and its real counterpart. */
    static final class MConn {
        final PooledConnection<FakeTransport> real;
        final PoolKey key;
        S state = S.CONNECTING;
        boolean held;            // a request holds it and will offer it back
        long idleDeadline;

        MConn(PooledConnection<FakeTransport> real) {
            this.real = real;
            this.key = real.key();
        }

        @Override
        public String toString() {
            return real + " " + state + (held ? " held" : "");
        }
    }

    /** The real pool, its fakes, and the model; each step acts on both and compares. */
    static final class PoolModel {
        final ManualClock clock = new ManualClock();
        final FakeTransportHooks hooks = new FakeTransportHooks();
        final ConnectionPool<FakeTransport> pool = new ConnectionPool<>(PoolConfig.builder()
                .maxConnectionsPerHost(MAX_CONNECTIONS).maxPendingAcquires(MAX_PENDING)
                .maxIdlePerHost(1).maxIdleTotal(1).idleTimeout(Duration.ofNanos(IDLE_TIMEOUT)).build(),
                clock, new RecordingPoolListener(), hooks);
        final List<MConn> conns = new ArrayList<>();
        final Map<PoolKey, Deque<MConn>> idle = new java.util.HashMap<>(); // most recently used first
        final Deque<MConn> lru = new ArrayDeque<>();                       // oldest first
        final Map<PoolKey, Deque<RecordingWaiter>> queue = new java.util.HashMap<>();
        final List<RecordingWaiter> waiters = new ArrayList<>();
        final Map<RecordingWaiter, RecordingWaiter.Callback> expected = new java.util.HashMap<>();
        final List<RecordingWaiter> cancelled = new ArrayList<>();
        boolean closed;
        boolean closeIdleRequested;

        PoolModel() {
            for (PoolKey k : KEYS) {
                idle.put(k, new ArrayDeque<>());
                queue.put(k, new ArrayDeque<>());
            }
        }

        // ----- actions

        void acquire(int i) {
            PoolKey key = KEYS.get(i % 2);
            RecordingWaiter w = new RecordingWaiter(key);
            waiters.add(w);
            RecordingWaiter.Callback predicted;
            MConn leased = null;
            if (closed) {
                predicted = FAILURE;
            } else {
                closeIdleRequested = false;
                MConn c;
                while ((c = idle.get(key).peekFirst()) != null) {
                    removeIdle(c);
                    if (c.real.transport().isOpen() && clock.nanoTime() - c.idleDeadline < 0) {
                        leased = c;
                        break;
                    }
                    c.state = S.CLOSING; // the pool asks the hooks to close it
                }
                if (leased != null) {
                    predicted = CONNECTION;
                } else if (open(key) < MAX_CONNECTIONS) {
                    predicted = CONNECT_PERMIT;
                } else if (queue.get(key).size() < MAX_PENDING) {
                    predicted = null;
                } else {
                    predicted = FAILURE;
                }
            }
            pool.acquire(w);
            if (predicted == null) {
                queue.get(key).addLast(w);
                assertFalse(w.answered(), "queued");
                return;
            }
            expected.put(w, predicted);
            assertEquals(List.of(predicted), w.calls(), "acquire on " + key);
            if (predicted == CONNECTION) {
                assertSame(leased.real, w.connection());
                leased.state = S.ACTIVE;
                leased.held = true;
            } else if (predicted == CONNECT_PERMIT) {
                conns.add(new MConn(w.connection()));
            }
        }

        void connected(int i) {
            MConn c = pick(i, S.CONNECTING);
            if (c == null) return;
            boolean open = pool.connected(c.real, new FakeTransport());
            assertEquals(!closed, open);
            if (open) {
                c.state = S.ACTIVE;
                c.held = true;
            } else {
                c.state = S.CLOSING;
                c.real.transport().close(); // the caller closes
            }
        }

        void connectFailed(int i) {
            MConn c = pick(i, S.CONNECTING);
            if (c == null) return;
            pool.closed(c.real, CloseReason.ABORTED);
            freed(c);
        }

        void offer(int i) {
            List<MConn> held = conns.stream().filter(c -> c.held).toList();
            if (held.isEmpty()) return;
            MConn c = held.get(i % held.size());
            boolean reusable = i % 4 != 3;
            long serverIdle = i % 3 == 0 ? SERVER_IDLE : Long.MAX_VALUE;
            OfferVerdict predicted;
            RecordingWaiter handTo = null;
            if (c.state == S.CLOSED || c.state == S.CLOSING) {
                predicted = OfferVerdict.refused(RefuseReason.NOT_REUSABLE);
            } else if (closed) {
                predicted = OfferVerdict.refused(RefuseReason.POOL_CLOSED);
            } else if (!reusable || !c.real.transport().isOpen()) {
                predicted = OfferVerdict.refused(RefuseReason.NOT_REUSABLE);
            } else if ((handTo = queue.get(c.key).pollFirst()) != null) {
                predicted = OfferVerdict.HANDED_OFF;
            } else if (closeIdleRequested) {
                predicted = OfferVerdict.refused(RefuseReason.CLOSING_IDLE);
            } else if (idle.get(c.key).size() >= 1) {
                predicted = OfferVerdict.refused(RefuseReason.TOO_MANY_IDLE_FOR_HOST);
            } else {
                predicted = OfferVerdict.POOLED;
            }
            OfferVerdict verdict = pool.offer(c.real, c.real.lease(), reusable, serverIdle);
            assertEquals(predicted, verdict, "offer of " + c);
            c.held = false;
            if (verdict == OfferVerdict.HANDED_OFF) {
                expected.put(handTo, CONNECTION);
                assertSame(c.real, handTo.connection());
                c.held = true;
            } else if (verdict == OfferVerdict.POOLED) {
                if (!lru.isEmpty()) {
                    MConn evicted = lru.peekFirst();
                    removeIdle(evicted);
                    evicted.state = S.CLOSING;
                }
                c.state = S.IDLE;
                c.idleDeadline = clock.nanoTime() + Math.min(IDLE_TIMEOUT, serverIdle);
                idle.get(c.key).addFirst(c);
                lru.addLast(c);
            } else if (c.state == S.ACTIVE) {
                c.state = S.CLOSING;
                c.real.transport().close(); // a refusal is the caller's to close
            }
        }

        void cancel(int i) {
            List<RecordingWaiter> queued = new ArrayList<>();
            for (PoolKey k : KEYS) queued.addAll(queue.get(k));
            if (queued.isEmpty()) return;
            RecordingWaiter w = queued.get(i % queued.size());
            assertTrue(pool.cancel(w));
            queue.get(w.key()).remove(w);
            cancelled.add(w);
            assertFalse(pool.cancel(w), "cancelled once");
        }

        void peerClose(int i) {
            List<MConn> live = conns.stream().filter(c -> c.state == S.IDLE || c.state == S.ACTIVE).toList();
            if (live.isEmpty()) return;
            MConn c = live.get(i % live.size());
            c.real.transport().closeByPeer();
            if (i % 2 == 0) {       // else the close is reported later, or the pool finds it dead
                if (c.state == S.IDLE) removeIdle(c);
                pool.closed(c.real, CloseReason.PEER_CLOSED);
                freed(c);
            }
        }

        void closeReported(int i) {
            List<MConn> closing = conns.stream().filter(c -> c.state == S.CLOSING).toList();
            if (closing.isEmpty()) return;
            MConn c = closing.get(i % closing.size());
            assertFalse(c.real.transport() != null && c.real.transport().isOpen(), "closing but open: " + c);
            pool.closed(c.real, CloseReason.PEER_CLOSED);
            freed(c);
        }

        void advanceAndExpire(int i) {
            clock.advance(Duration.ofSeconds(i));
            for (MConn c : new ArrayList<>(conns)) {
                if (c.state != S.IDLE) {
                    assertEquals(-1, pool.expireIfIdle(c.real));
                    continue;
                }
                boolean unfit = !c.real.transport().isOpen() || clock.nanoTime() - c.idleDeadline >= 0;
                long next = pool.expireIfIdle(c.real);
                if (unfit) {
                    assertEquals(-1, next);
                    removeIdle(c);
                    c.state = S.CLOSING;
                } else {
                    assertEquals(c.idleDeadline - clock.nanoTime(), next);
                }
            }
        }

        void closeIdle() {
            pool.closeIdle();
            closeIdleRequested = true;
            drainIdle();
        }

        /** close() is rare: only one index in twelve, so most chains run long on a live pool. */
        void closeAfterMany(int i) {
            if (i != 0) return;
            pool.close();
            if (!closed) {
                closed = true;
                drainIdle();
                for (PoolKey k : KEYS) {
                    RecordingWaiter w;
                    while ((w = queue.get(k).pollFirst()) != null) expected.put(w, FAILURE);
                }
            }
        }

        // ----- model helpers

        /** The connection closed: its slot goes to the first waiters of its host while there is room. */
        private void freed(MConn c) {
            c.state = S.CLOSED;
            if (closed) return;
            RecordingWaiter w;
            while (open(c.key) < MAX_CONNECTIONS && (w = queue.get(c.key).pollFirst()) != null) {
                expected.put(w, CONNECT_PERMIT);
                assertEquals(List.of(CONNECT_PERMIT), w.calls());
                conns.add(new MConn(w.connection()));
            }
        }

        private void drainIdle() {
            for (MConn c : new ArrayList<>(lru)) {
                removeIdle(c);
                c.state = S.CLOSING;
            }
        }

        private void removeIdle(MConn c) {
            idle.get(c.key).remove(c);
            lru.remove(c);
        }

        private int open(PoolKey key) {
            return (int) conns.stream().filter(c -> c.key.equals(key) && c.state != S.CLOSED).count();
        }

        /** Each host's snapshot agrees with the model; a host with nothing left is absent. */
        private void checkHosts() {
            Map<PoolKey, PoolStats> byHost = pool.statsByHost();
            for (PoolKey k : KEYS) {
                int waiting = queue.get(k).size();
                PoolStats expected = PoolStats.current(open(k), count(k, S.IDLE), count(k, S.ACTIVE),
                        count(k, S.CONNECTING), waiting);
                assertEquals(expected, pool.stats(k), "stats of " + k);
                if (open(k) == 0 && waiting == 0) {
                    assertFalse(byHost.containsKey(k), "forgotten host " + k + " in " + byHost);
                } else {
                    assertEquals(expected, byHost.get(k), "statsByHost of " + k);
                }
            }
        }

        private int count(PoolKey key, S state) {
            return (int) conns.stream().filter(c -> c.key.equals(key) && c.state == state).count();
        }

        private MConn pick(int i, S state) {
            List<MConn> in = conns.stream().filter(c -> c.state == state).toList();
            return in.isEmpty() ? null : in.get(i % in.size());
        }

        // ----- invariants

        void check() {
            Map<S, Integer> byState = new EnumMap<>(S.class);
            for (S s : S.values()) byState.put(s, 0);
            for (MConn c : conns) {
                byState.merge(c.state, 1, Integer::sum);
                assertEquals(c.state.name(), pool.stateOf(c.real).name(), "state of " + c);
                assertFalse(c.held && c.state == S.IDLE, "idle and leased: " + c);
            }
            PoolStats stats = pool.stats();
            int pending = queue.values().stream().mapToInt(Deque::size).sum();
            assertEquals(byState.get(S.IDLE), stats.idle(), "idle");
            assertEquals(byState.get(S.ACTIVE), stats.active(), "active");
            assertEquals(byState.get(S.CONNECTING), stats.connecting(), "connecting");
            assertEquals(conns.size() - byState.get(S.CLOSED), stats.open(), "open");
            assertEquals(pending, stats.pending(), "pending");
            checkHosts();
            for (PoolKey k : KEYS) {
                if (!closed && !queue.get(k).isEmpty()) {
                    assertEquals(MAX_CONNECTIONS, open(k), "a waiter of " + k + " waits while a slot is free");
                }
                for (RecordingWaiter w : queue.get(k)) assertFalse(w.answered(), "queued but answered");
            }
            for (RecordingWaiter w : waiters) {
                RecordingWaiter.Callback e = expected.get(w);
                assertEquals(e == null ? List.of() : List.of(e), w.calls(), "waiter callbacks");
            }
            if (closed) {
                assertEquals(0, pending, "no waiter left once closed");
                for (RecordingWaiter w : waiters) {
                    assertTrue(w.answered() || cancelled.contains(w), "every waiter completed once closed");
                }
            }
        }
    }
}
