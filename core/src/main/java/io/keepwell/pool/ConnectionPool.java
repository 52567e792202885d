package io.keepwell.pool;

import io.keepwell.http.ClientClosedException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one connection pool a client has: every connection's state, the idle connections of every
 * host, and the requests waiting for a connection. It decides; it never performs I/O. Whoever is
 * told to close a connection (a refused offer's caller, or {@link TransportHooks#close} for
 * connections the pool drops itself) owns that close, and the transport reports every socket close
 * back through {@link #closed}, exactly once.
 *
 * <p>Thread-safe: one lock guards all state. Every method decides under the lock and acts after
 * it: waiter callbacks, listener calls and {@link TransportHooks#close} run once the lock is
 * released, so they may call back into the pool or wait for a thread that does. Only
 * {@link TransportHooks#isOpen}, a plain read of the socket's state, is asked under the lock.
 *
 * @param <T> the transport's connection object (a Netty {@code Channel} for the Netty adapter),
 *            which the pool holds but never touches except through {@link TransportHooks}
 */
public final class ConnectionPool<T> {

    private final PoolConfig config;
    private final Clock clock;
    private volatile PoolListener listener; // replaced, never changed, by addListener: read once per event
    private final Object listenerUpdate = new Object(); // serializes addListener; never the pool's lock
    private final TransportHooks<T> hooks;
    private final long idleTimeoutNanos;
    private final long maxLifetimeNanos;
    private final long lifetimeJitterNanos;

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<PoolKey, Host<T>> hosts = new HashMap<>();  // guarded by lock
    private final IdleList<T> lru = new IdleList<>();             // guarded by lock
    private final StateCounts counts = new StateCounts();         // guarded by lock
    private final long[] refusedByReason = new long[RefuseReason.values().length]; // guarded by lock
    private final long[] closedByReason = new long[CloseReason.values().length];   // guarded by lock
    private int pending;              // guarded by lock
    private int streamsInUse;         // guarded by lock: stream slots taken on multiplexed connections
    private long opened;              // guarded by lock
    private long reused;              // guarded by lock
    private long closedTotal;         // guarded by lock
    private long retried;             // guarded by lock
    private long nextId;              // guarded by lock
    private boolean closeIdleRequested; // guarded by lock
    private boolean poolClosed;       // guarded by lock

    /**
     * Creates an empty pool; it opens nothing until the first {@link #acquire}.
     *
     * @param config   the limits and timeouts the pool enforces; not {@code null}
     * @param clock    the monotonic time used for idle and lifetime deadlines, usually
     *                 {@link Clock#system()}; not {@code null}
     * @param listener hears every change, called outside the lock; {@link PoolListener#NOOP} for
     *                 none, never {@code null}
     * @param hooks    the transport's open check and close action; not {@code null}
     * @throws NullPointerException if any argument is {@code null}
     */
    public ConnectionPool(PoolConfig config, Clock clock, PoolListener listener, TransportHooks<T> hooks) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.hooks = Objects.requireNonNull(hooks, "hooks");
        this.idleTimeoutNanos = config.idleTimeout().toNanos();
        this.maxLifetimeNanos = config.maxLifetime().toNanos();
        this.lifetimeJitterNanos = config.lifetimeJitter().toNanos();
    }

    /**
     * The configuration the pool was created with.
     *
     * @return the pool's configuration, never {@code null}
     */
    public PoolConfig config() {
        return config;
    }

    /**
     * Adds a listener that hears every event from now on, after those already set; thread-safe.
     * Listeners are called in the order they were added, after the lock is released, as the first.
     *
     * @param added the listener; {@link PoolListener#NOOP} changes nothing
     */
    public void addListener(PoolListener added) {
        Objects.requireNonNull(added, "listener");
        synchronized (listenerUpdate) {
            listener = ComposedPoolListener.of(listener, added);
        }
    }

    /**
     * Finds a connection for {@code waiter}: the most recently used live idle connection of its
     * host, else a slot for a new connection if the host is under its cap, else a place in the
     * host's queue. The waiter hears the answer through exactly one of its callbacks, possibly
     * before this method returns. On a closed pool the waiter fails with
     * {@link ClientClosedException}; with the host's queue full, with {@link PoolExhaustedException}.
     * A waiter already cancelled is ignored.
     *
     * @param waiter the request's claim, for the host of {@link Waiter#key()}; answered at most once
     */
    public void acquire(Waiter<T> waiter) {
        PoolKey key = waiter.key();
        List<PooledConnection<T>> dropped = null;
        PooledConnection<T> leased = null;
        PooledConnection<T> slot = null;
        boolean queued = false;
        java.io.IOException failure = null;
        lock.lock();
        try {
            if (poolClosed) {
                failure = new ClientClosedException("the client is closed");
            } else if (!waiter.isWaiting()) {
                return; // cancelled before the pool saw it: lease nothing, queue nothing
            } else {
                closeIdleRequested = false;
                Host<T> host = hostLocked(key);
                long now = clock.nanoTime();
                PooledConnection<T> shared = streamSlotLocked(host, now);
                if (shared != null) {
                    if (!waiter.tryClaim()) {
                        return;
                    }
                    takeStreamLocked(host, shared);
                    leased = shared;
                }
                PooledConnection<T> c;
                while (leased == null && (c = host.idle.peekFirst()) != null) {
                    CloseReason unfit = unfitLocked(c, now);
                    if (unfit == null) {
                        // Claimed before it leaves the idle list: a waiter cancelled meanwhile leaves
                        // the connection untouched (its deadline and idle timer), never given back.
                        if (!waiter.tryClaim()) {
                            break;
                        }
                        host.idle.pollFirst();
                        lru.remove(c);
                        leaseLocked(host, c, ConnState.IDLE);
                        c.idleNanosBeforeLease = now - c.idleSinceNanos;
                        leased = c;
                        break;
                    }
                    host.idle.pollFirst();
                    lru.remove(c);
                    moveLocked(c, ConnState.CLOSING);
                    c.closeReason = unfit;
                    if (dropped == null) dropped = new ArrayList<>(2);
                    dropped.add(c);
                }
                if (leased == null && waiter.isWaiting()) {
                    if (host.coalescingConnect != null) {
                        // A connect that may come up multiplexed is in flight: wait for its settings
                        // instead of opening another connection (a burst must not open dozens).
                        if (host.waiters.size() < config.maxPendingAcquires()) {
                            waiter.coalescedOn = host.coalescingConnect;
                            host.waiters.addLast(waiter);
                            pending++;
                            queued = true;
                        } else {
                            failure = new PoolExhaustedException(key, config.maxConnectionsPerHost(), config.maxPendingAcquires());
                        }
                    } else if (host.hasRoom(config.maxConnectionsPerHost())) {
                        slot = newSlotLocked(host, now);
                    } else if (host.waiters.size() < config.maxPendingAcquires()) {
                        host.waiters.addLast(waiter);
                        pending++;
                        queued = true;
                    } else {
                        failure = new PoolExhaustedException(key, config.maxConnectionsPerHost(), config.maxPendingAcquires());
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        closeAll(dropped);
        if (leased != null) {
            listener.connectionAcquired(leased, true);
            waiter.onConnection(leased);
        } else if (slot != null) {
            if (waiter.tryClaim()) {
                waiter.onConnectPermit(slot);
            } else {
                closed(slot, CloseReason.ABORTED);
            }
        } else if (failure != null) {
            if (waiter.tryClaim()) {
                waiter.onFailure(failure);
            }
        } else if (queued) {
            waiter.onQueued();
        }
    }

    /**
     * Withdraws a waiting request. Returns {@code true} if it was still waiting (it will hear
     * nothing more); {@code false} if the pool had already answered it, in which case a connection
     * it receives must be offered back.
     *
     * @param waiter a waiter earlier passed to {@link #acquire}
     * @return {@code true} if the waiter was withdrawn before any answer, {@code false} if the pool
     *         had already answered (or it was cancelled before)
     */
    public boolean cancel(Waiter<T> waiter) {
        lock.lock();
        try {
            if (!waiter.tryCancel()) {
                return false;
            }
            Host<T> host = hosts.get(waiter.key());
            if (host != null && host.waiters.remove(waiter)) {
                pending--;
                pruneLocked(host);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The slot's connection is established; it becomes active, leased to the waiter that got the
     * permit.
     *
     * @param slot      the slot from {@link Waiter#onConnectPermit}, still connecting
     * @param transport the established connection; not {@code null}
     * @return {@code true} if the connection is now active; {@code false} if the pool closed
     *         meanwhile, and the caller must close it
     * @throws IllegalStateException if the slot is not connecting
     */
    public boolean connected(PooledConnection<T> slot, T transport) {
        Objects.requireNonNull(transport, "transport");
        boolean open;
        Grants<T> grants = new Grants<>();
        lock.lock();
        try {
            open = establishLocked(slot, transport);
            if (open) {
                slot.leases = 1;
                // Requests that waited on this connect (it might have come up multiplexed) now open their own,
                // as over HTTP/1.1: permits that do not coalesce, or each would wait for the one before.
                serveWaitersLocked(hosts.get(slot.key()), clock.nanoTime(), grants, false);
            }
        } finally {
            lock.unlock();
        }
        PoolListener told = listener;
        told.connectionOpened(slot);
        if (open) {
            told.connectionAcquired(slot, false);
        }
        grants.deliver(told);
        return open;
    }

    /**
     * As {@link #connected}, for a connection that came up multiplexed (HTTP/2) and has the
     * server's first settings: it carries up to {@code maxStreams} streams at once. The waiter that
     * got the permit holds its first stream slot; further slots go at once to requests waiting for
     * this host, oldest first, up to the limit. Each slot is given back with {@link #releaseStream}.
     *
     * @param slot       the slot from {@link Waiter#onConnectPermit}, still connecting
     * @param transport  the established connection; not {@code null}
     * @param maxStreams the server's {@code SETTINGS_MAX_CONCURRENT_STREAMS} (0 or more; the permit
     *                   holder's stream is counted even at 0, and the server may refuse it), held to
     *                   {@link PoolConfig#maxStreamsPerConnection()} when that is set
     * @return {@code true} if the connection is now active; {@code false} if the pool closed
     *         meanwhile, and the caller must close it
     * @throws IllegalStateException    if the slot is not connecting
     * @throws IllegalArgumentException if {@code maxStreams} is negative
     */
    public boolean connectedMultiplexed(PooledConnection<T> slot, T transport, int maxStreams) {
        Objects.requireNonNull(transport, "transport");
        if (maxStreams < 0) {
            throw new IllegalArgumentException("maxStreams must not be negative: " + maxStreams);
        }
        boolean open;
        Grants<T> grants = new Grants<>();
        lock.lock();
        try {
            open = establishLocked(slot, transport); // throws, leaving the slot as it was, unless connecting
            slot.markMultiplexed(streamCap(maxStreams));
            if (open) {
                Host<T> host = hosts.get(slot.key());
                slot.leases = 1;
                slot.streams = 1;
                host.streams++;
                streamsInUse++;
                host.shared.add(slot);
                serveWaitersLocked(host, clock.nanoTime(), grants);
            }
        } finally {
            lock.unlock();
        }
        PoolListener told = listener;
        told.connectionOpened(slot);
        if (open) {
            told.connectionAcquired(slot, false);
        }
        grants.deliver(told);
        return open;
    }

    /** The server's concurrency limit, held to {@link PoolConfig#maxStreamsPerConnection()} when that is set. */
    private int streamCap(int serverLimit) {
        int own = config.maxStreamsPerConnection();
        return own > 0 ? Math.min(own, serverLimit) : serverLimit;
    }

    /** The slot's connect succeeded: active, or closing when the pool closed meanwhile. */
    private boolean establishLocked(PooledConnection<T> slot, T transport) {
        if (slot.state != ConnState.CONNECTING) {
            throw new IllegalStateException("connected " + slot + " in state " + slot.state + ", expected CONNECTING");
        }
        slot.transport(transport);
        opened++;
        endCoalescingLocked(slot);
        if (poolClosed) {
            moveLocked(slot, ConnState.CLOSING);
            slot.closeReason = CloseReason.CLIENT_CLOSED;
            return false;
        }
        moveLocked(slot, ConnState.ACTIVE);
        return true;
    }

    /** The host's one connect that may come up multiplexed is over, one way or the other. */
    private void endCoalescingLocked(PooledConnection<T> slot) {
        if (slot.coalescing) {
            slot.coalescing = false;
            Host<T> host = hosts.get(slot.key());
            if (host != null && host.coalescingConnect == slot) {
                host.coalescingConnect = null;
            }
        }
    }

    /**
     * The connect of {@code slot} failed with {@code cause}, before {@link #closed} reports its
     * socket closed. Requests that waited on this connect rather than open their own (it might
     * have come up multiplexed) fail with the same cause, instead of each trying again in turn.
     * Does nothing for a slot nobody waited on.
     *
     * @param slot  the slot whose connect failed, still connecting
     * @param cause the connect's failure, given to each waiter that waited on it
     */
    public void connectFailed(PooledConnection<T> slot, java.io.IOException cause) {
        List<Waiter<T>> failed = null;
        lock.lock();
        try {
            if (!slot.coalescing) {
                return;
            }
            endCoalescingLocked(slot);
            Host<T> host = hosts.get(slot.key());
            if (host != null) {
                java.util.Iterator<Waiter<T>> it = host.waiters.iterator();
                while (it.hasNext()) {
                    Waiter<T> w = it.next();
                    if (w.coalescedOn == slot) {
                        it.remove();
                        pending--;
                        if (w.tryClaim()) {
                            if (failed == null) failed = new ArrayList<>();
                            failed.add(w);
                        }
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        if (failed != null) {
            for (Waiter<T> w : failed) {
                w.onFailure(cause);
            }
        }
    }

    /**
     * A stream on a multiplexed connection has closed (or never opened): its slot is free, exactly
     * once per slot taken. The verdict is the connection's: {@link OfferVerdict#HANDED_OFF} when the
     * slot went straight to a waiting request, {@link OfferVerdict#KEPT} while the connection serves
     * other streams (or is already closing by someone else's decision), {@link OfferVerdict#POOLED}
     * when it was the last stream and the connection is now idle, and a refusal when it was the
     * last stream and the connection may not stay: the caller then closes it.
     *
     * @param c a multiplexed connection on which the caller held a stream slot
     * @return what became of the connection; never {@code null}
     * @throws IllegalStateException if {@code c} is not multiplexed, or has no slot taken (a
     *                               second release of the same slot)
     */
    public OfferVerdict releaseStream(PooledConnection<T> c) {
        Grants<T> grants = new Grants<>();
        Release<T> release = null;
        OfferVerdict verdict;
        lock.lock();
        try {
            if (!c.multiplexed) {
                throw new IllegalStateException("releaseStream on " + c + ", which is not multiplexed");
            }
            if (c.streams <= 0) {
                throw new IllegalStateException("stream slot of " + c + " released more often than taken");
            }
            Host<T> host = hosts.get(c.key()); // kept while a slot is taken (see Host#isEmpty)
            c.streams--;
            host.streams--;
            streamsInUse--;
            if (c.state == ConnState.CLOSING || c.state == ConnState.CLOSED) {
                verdict = OfferVerdict.KEPT;
                pruneLocked(host);
            } else if (c.draining) {
                if (c.streams == 0) {
                    RefuseReason refusal = c.drainReason == CloseReason.GOAWAY ? RefuseReason.GOAWAY_RECEIVED
                            : c.drainReason == CloseReason.LIFETIME_EXPIRED ? RefuseReason.LIFETIME_EXPIRED
                            : RefuseReason.NOT_REUSABLE;
                    refusedByReason[refusal.ordinal()]++;
                    moveLocked(c, ConnState.CLOSING);
                    c.closeReason = c.drainReason;
                    verdict = OfferVerdict.refused(refusal);
                } else {
                    verdict = OfferVerdict.KEPT;
                }
            } else {
                long now = clock.nanoTime();
                serveWaitersLocked(host, now, grants); // the freed slot, if a waiter takes it
                if (c.streams > 0) {
                    verdict = grants.handedTo(c) ? OfferVerdict.HANDED_OFF : OfferVerdict.KEPT;
                } else {
                    release = parkLocked(host, c, true, Long.MAX_VALUE, now);
                    verdict = release.verdict();
                }
            }
        } finally {
            lock.unlock();
        }
        if (release != null) {
            execute(release);
        } else {
            listener.connectionReleased(c, verdict);
        }
        grants.deliver(listener);
        return verdict;
    }

    /**
     * Retires a connection for {@code reason} (a GOAWAY, a second refused stream): it takes no new
     * stream from now on. Returns {@code true} if the caller must close it now (it was idle,
     * connecting or not multiplexed); a multiplexed connection with streams open instead closes
     * when its last stream ends, through the refusal {@link #releaseStream} then returns.
     *
     * @param c      the connection
     * @param reason counted when it closes
     * @return {@code true} if the caller now owns its close; {@code false} if it drains first, or
     *         was already closing or closed
     */
    public boolean retire(PooledConnection<T> c, CloseReason reason) {
        lock.lock();
        try {
            if (c.state == ConnState.CLOSING || c.state == ConnState.CLOSED) {
                return false;
            }
            Host<T> host = hosts.get(c.key());
            if (c.state == ConnState.ACTIVE && c.multiplexed) {
                if (!c.draining) {
                    drainLocked(host, c, reason);
                }
                return false;
            }
            return markClosingLocked(c, reason);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The server changed its concurrency limit on a multiplexed connection (a new
     * {@code SETTINGS_MAX_CONCURRENT_STREAMS}). Streams already open stay; below the new limit new
     * ones are taken again, and a raised limit serves waiting requests at once. An idle connection
     * whose limit drops to 0 can serve nobody: the pool closes it through {@link TransportHooks#close},
     * counted as {@link CloseReason#STREAMS_REFUSED}.
     *
     * @param c          a multiplexed connection
     * @param maxStreams the new limit, 0 or more
     * @throws IllegalStateException if {@code c} is not multiplexed
     */
    public void maxStreamsChanged(PooledConnection<T> c, int maxStreams) {
        if (maxStreams < 0) {
            throw new IllegalArgumentException("maxStreams must not be negative: " + maxStreams);
        }
        Grants<T> grants = new Grants<>();
        boolean drop = false;
        lock.lock();
        try {
            if (!c.multiplexed) {
                throw new IllegalStateException("maxStreamsChanged on " + c + ", which is not multiplexed");
            }
            c.maxStreams = streamCap(maxStreams);
            if (c.state == ConnState.ACTIVE && !c.draining) {
                serveWaitersLocked(hosts.get(c.key()), clock.nanoTime(), grants);
            } else if (c.state == ConnState.IDLE && maxStreams == 0) {
                // Idle, and its server takes no stream: it can serve nobody (an acquire would take
                // stream 1 of 0), yet holds a place under the host's cap. The pool drops it.
                removeIdleLocked(c);
                moveLocked(c, ConnState.CLOSING);
                c.closeReason = CloseReason.STREAMS_REFUSED;
                drop = true;
            }
        } finally {
            lock.unlock();
        }
        if (drop) {
            hooks.close(c.transport());
        }
        grants.deliver(listener);
    }

    /** Stream slots and connect permits decided under the lock, handed out after it. */
    private static final class Grants<T> {
        private List<Waiter<T>> handed;
        private List<PooledConnection<T>> streams;
        private List<Waiter<T>> permitted;
        private List<PooledConnection<T>> slots;

        void hand(Waiter<T> w, PooledConnection<T> c) {
            if (handed == null) {
                handed = new ArrayList<>(2);
                streams = new ArrayList<>(2);
            }
            handed.add(w);
            streams.add(c);
        }

        void permit(Waiter<T> w, PooledConnection<T> slot) {
            if (permitted == null) {
                permitted = new ArrayList<>(1);
                slots = new ArrayList<>(1);
            }
            permitted.add(w);
            slots.add(slot);
        }

        boolean handedTo(PooledConnection<T> c) {
            return streams != null && streams.contains(c);
        }

        void deliver(PoolListener told) {
            if (handed != null) {
                for (int i = 0; i < handed.size(); i++) {
                    told.connectionAcquired(streams.get(i), true);
                    handed.get(i).onConnection(streams.get(i));
                }
            }
            if (permitted != null) {
                for (int i = 0; i < permitted.size(); i++) {
                    permitted.get(i).onConnectPermit(slots.get(i));
                }
            }
        }
    }

    /**
     * Offers back a connection whose request is finished. {@code reusable} is the keep-alive
     * decision for the exchange. On a refusal the caller must close the connection; otherwise it
     * is idle in the pool or already leased to a waiting request. The server sets no idle limit of
     * its own: the client's {@link PoolConfig#idleTimeout()} applies.
     *
     * @param c        an active connection, as leased to the caller
     * @param reusable whether the exchange left the connection fit for another request
     * @return what became of the connection; never {@code null}
     * @throws IllegalStateException if the connection is not active (idle, or still connecting)
     */
    public OfferVerdict offer(PooledConnection<T> c, boolean reusable) {
        return offer(c, reusable, Long.MAX_VALUE);
    }

    /**
     * As {@link #offer(PooledConnection, boolean, long)}, from the holder of lease {@code lease}:
     * if the connection has moved on to another lease (or is idle), the release is stale and
     * fails loudly rather than release someone else's lease.
     *
     * @param c                      the connection the caller holds a lease on
     * @param lease                  the caller's lease number, {@link PooledConnection#lease()} as
     *                               read when the connection was acquired
     * @param reusable               whether the exchange left the connection fit for another request
     * @param serverIdleTimeoutNanos the server's idle limit in nanoseconds, {@link Long#MAX_VALUE}
     *                               for none
     * @return what became of the connection; never {@code null}
     * @throws IllegalStateException if {@code lease} is not the connection's current lease, or the
     *                               connection is idle or still connecting
     */
    public OfferVerdict offer(PooledConnection<T> c, int lease, boolean reusable, long serverIdleTimeoutNanos) {
        Release<T> release;
        lock.lock();
        try {
            if (c.leases != lease || c.state == ConnState.IDLE) {
                throw new IllegalStateException("stale release of " + c + ": lease " + lease + ", but it is at lease "
                        + c.leases + " in state " + c.state);
            }
            release = releaseLocked(c, reusable, serverIdleTimeoutNanos);
        } finally {
            lock.unlock();
        }
        return execute(release);
    }

    /**
     * As {@link #offer(PooledConnection, boolean)}, with the server's idle limit for this
     * connection (from {@code Keep-Alive: timeout=N}): the connection's idle deadline is the
     * earlier of that and the client's idle timeout, so a server hint can shorten but never
     * extend the client's own limit. A limit of 0 or less leaves no idle time at all: refused as
     * {@link RefuseReason#NOT_REUSABLE}.
     *
     * @param c                      an active connection, as leased to the caller
     * @param reusable               whether the exchange left the connection fit for another request
     * @param serverIdleTimeoutNanos the server's idle limit in nanoseconds, {@link Long#MAX_VALUE}
     *                               for none
     * @return what became of the connection; never {@code null}
     * @throws IllegalStateException if the connection is not active (idle, or still connecting)
     */
    public OfferVerdict offer(PooledConnection<T> c, boolean reusable, long serverIdleTimeoutNanos) {
        Release<T> release;
        lock.lock();
        try {
            release = releaseLocked(c, reusable, serverIdleTimeoutNanos);
        } finally {
            lock.unlock();
        }
        return execute(release);
    }

    /** What a release decided, to be carried out after the lock is released. */
    private record Release<T>(PooledConnection<T> connection, OfferVerdict verdict, Waiter<T> handTo,
                              PooledConnection<T> evicted) {
    }

    private OfferVerdict execute(Release<T> r) {
        if (r.evicted != null) {
            hooks.close(r.evicted.transport());
        }
        PoolListener told = listener;
        told.connectionReleased(r.connection, r.verdict);
        if (r.handTo != null) {
            told.connectionAcquired(r.connection, true);
            r.handTo.onConnection(r.connection);
        }
        return r.verdict;
    }

    private Release<T> releaseLocked(PooledConnection<T> c, boolean reusable, long serverIdleTimeoutNanos) {
        if (c.multiplexed) {
            throw new IllegalStateException("offered " + c + ", which is multiplexed: its streams are released with releaseStream");
        }
        if (c.state == ConnState.CLOSING || c.state == ConnState.CLOSED) {
            // The socket closed (or was chosen to close) while its last response completed.
            refusedByReason[RefuseReason.NOT_REUSABLE.ordinal()]++;
            return new Release<>(c, OfferVerdict.refused(RefuseReason.NOT_REUSABLE), null, null);
        }
        if (c.state != ConnState.ACTIVE) {
            throw new IllegalStateException("offered " + c + " in state " + c.state + ", expected ACTIVE");
        }
        return parkLocked(hosts.get(c.key()), c, reusable, serverIdleTimeoutNanos, clock.nanoTime());
    }

    /**
     * What becomes of an active connection that serves nobody now: handed to a waiter, idle, or
     * refused. A multiplexed one is handed as a stream slot, and leaves the host's shared list
     * when it goes idle or is refused.
     */
    private Release<T> parkLocked(Host<T> host, PooledConnection<T> c, boolean reusable, long serverIdleTimeoutNanos, long now) {
        OfferVerdict verdict;
        Waiter<T> handTo = null;
        PooledConnection<T> evicted = null;
        RefuseReason refusal;
        if (poolClosed) {
            refusal = RefuseReason.POOL_CLOSED;
        } else if (!config.keepAlive()) {
            refusal = RefuseReason.KEEP_ALIVE_DISABLED;
        } else if (!reusable || serverIdleTimeoutNanos <= 0 || !hooks.isOpen(c.transport())
                || (c.multiplexed && c.maxStreams == 0)) {
            // A multiplexed connection whose server allows no stream (SETTINGS_MAX_CONCURRENT_STREAMS 0)
            // can serve neither a waiter nor a later acquire: closing it frees its slot for a new one.
            refusal = RefuseReason.NOT_REUSABLE;
        } else if (lifetimeOver(c, now)) {
            refusal = RefuseReason.LIFETIME_EXPIRED;
        } else if ((handTo = claimWaiterLocked(host)) != null) {
            refusal = null;
            if (c.multiplexed) {
                takeStreamLocked(host, c);
            } else {
                c.leases++;
                c.idleNanosBeforeLease = -1;
                reused++;
            }
        } else if (closeIdleRequested) {
            refusal = RefuseReason.CLOSING_IDLE;
        } else if (config.maxIdleTotal() == 0) {
            refusal = RefuseReason.TOO_MANY_IDLE_TOTAL;
        } else if (host.idle.size() >= config.maxIdlePerHost()) {
            refusal = RefuseReason.TOO_MANY_IDLE_FOR_HOST;
        } else {
            refusal = null;
            if (lru.size() >= config.maxIdleTotal()) {
                evicted = lru.oldest();
                removeIdleLocked(evicted);
                moveLocked(evicted, ConnState.CLOSING);
                evicted.closeReason = CloseReason.EVICTED;
            }
            moveLocked(c, ConnState.IDLE);
            host.shared.remove(c);
            c.idleDeadlineNanos = now + Math.min(idleTimeoutNanos, serverIdleTimeoutNanos);
            c.idleSinceNanos = now;
            host.idle.addFirst(c);
            lru.addNewest(c);
        }
        if (refusal != null) {
            refusedByReason[refusal.ordinal()]++;
            moveLocked(c, ConnState.CLOSING);
            host.shared.remove(c);
            c.closeReason = CloseReason.REFUSED;
            verdict = OfferVerdict.refused(refusal);
        } else {
            verdict = handTo != null ? OfferVerdict.HANDED_OFF : OfferVerdict.POOLED;
        }
        return new Release<>(c, verdict, handTo, evicted);
    }

    /**
     * Marks an active or connecting connection as chosen to close for {@code reason} (a protocol
     * error, an aborted exchange); the caller then closes it. Returns {@code false} if it was
     * already closing or closed.
     *
     * @param c      the connection to close; if idle, it leaves the idle pool
     * @param reason the reason the close is counted under once {@link #closed} reports it
     * @return {@code true} if the caller now owns the close; {@code false} if the connection was
     *         already closing or closed, and someone else does
     */
    public boolean markClosing(PooledConnection<T> c, CloseReason reason) {
        lock.lock();
        try {
            if (c.state == ConnState.CLOSING || c.state == ConnState.CLOSED) {
                return false;
            }
            return markClosingLocked(c, reason);
        } finally {
            lock.unlock();
        }
    }

    /** Chooses {@code c}, neither closing nor closed, to close for {@code reason}; it leaves every list it was on. */
    private boolean markClosingLocked(PooledConnection<T> c, CloseReason reason) {
        if (c.state == ConnState.IDLE) {
            removeIdleLocked(c);
        }
        hosts.get(c.key()).shared.remove(c);
        endCoalescingLocked(c);
        moveLocked(c, ConnState.CLOSING);
        c.closeReason = reason;
        return true;
    }

    /**
     * The connection's socket is closed (or its connect failed). Frees its slot, exactly once,
     * whatever path closed it; {@code reason} counts unless the pool already chose one. A freed
     * slot goes to the host's oldest waiter as a connect permit.
     *
     * @param c      the connection whose socket closed, or whose connect failed
     * @param reason why it closed, as seen by the transport; ignored if the pool had already
     *               chosen a reason (through a refusal, an expiry, {@link #retire} or {@link #markClosing})
     */
    public void closed(PooledConnection<T> c, CloseReason reason) {
        Grants<T> grants = new Grants<>();
        CloseReason counted;
        boolean wasEstablished;
        lock.lock();
        try {
            if (c.state == ConnState.IDLE) {
                removeIdleLocked(c);
            }
            moveLocked(c, ConnState.CLOSED);
            // A draining connection (retired, or past its lifetime) counts the reason it drains for,
            // also when the peer closes it before its last stream ends (a GOAWAY, then the server's close).
            counted = c.closeReason != null ? c.closeReason : c.drainReason != null ? c.drainReason : reason;
            c.closeReason = counted;
            wasEstablished = c.transport() != null;
            if (wasEstablished) {
                closedTotal++;
                closedByReason[counted.ordinal()]++;
            }
            Host<T> host = hosts.get(c.key());
            endCoalescingLocked(c);
            host.shared.remove(c);
            c.draining = true; // a multiplexed connection's remaining slots are released as its streams close
            serveWaitersLocked(host, clock.nanoTime(), grants);
            pruneLocked(host);
        } finally {
            lock.unlock();
        }
        if (wasEstablished) {
            listener.connectionClosed(c, counted);
        }
        grants.deliver(listener);
    }

    /**
     * For the idle timer of one connection: closes it if it is idle past its deadline. Returns the
     * nanoseconds until it should be checked again, or -1 if it is not idle (any more); the
     * transport re-arms its timer only on a positive answer, so no timer outlives the idle period.
     * A connection found closed or past its lifetime is closed as well.
     *
     * @param c the connection the timer belongs to
     * @return nanoseconds (at least 1) until the next check, or -1 if the connection is not idle
     *         or was just closed
     */
    public long expireIfIdle(PooledConnection<T> c) {
        boolean drop;
        lock.lock();
        try {
            if (c.state != ConnState.IDLE) {
                return -1;
            }
            long now = clock.nanoTime();
            CloseReason unfit = unfitLocked(c, now);
            if (unfit == null) {
                long untilIdle = c.idleDeadlineNanos - now;
                long untilCheck = maxLifetimeNanos > 0 ? Math.min(untilIdle, c.lifetimeDeadlineNanos() - now) : untilIdle;
                return Math.max(1, untilCheck);
            }
            removeIdleLocked(c);
            moveLocked(c, ConnState.CLOSING);
            c.closeReason = unfit;
            drop = true;
        } finally {
            lock.unlock();
        }
        if (drop) {
            hooks.close(c.transport());
        }
        return -1;
    }

    /**
     * Closes every idle connection, and refuses offers with {@link RefuseReason#CLOSING_IDLE}
     * until the next {@link #acquire} (Go's {@code CloseIdleConnections}).
     */
    public void closeIdle() {
        List<PooledConnection<T>> dropped;
        lock.lock();
        try {
            closeIdleRequested = true;
            dropped = drainIdleLocked(CloseReason.CLOSE_IDLE);
        } finally {
            lock.unlock();
        }
        closeAll(dropped);
    }

    /**
     * Closes the pool: idle connections close, waiters fail with {@link ClientClosedException},
     * and every later offer is refused. Active connections are the transport's to abort.
     */
    public void close() {
        List<PooledConnection<T>> dropped;
        List<Waiter<T>> failed = new ArrayList<>();
        lock.lock();
        try {
            if (poolClosed) {
                return;
            }
            poolClosed = true;
            dropped = drainIdleLocked(CloseReason.CLIENT_CLOSED);
            for (Host<T> host : hosts.values()) {
                Waiter<T> w;
                while ((w = claimWaiterLocked(host)) != null) {
                    failed.add(w);
                }
            }
            hosts.values().removeIf(Host::isEmpty);
        } finally {
            lock.unlock();
        }
        closeAll(dropped);
        for (Waiter<T> w : failed) {
            w.onFailure(new ClientClosedException("the client was closed while this request waited for a connection"));
        }
    }

    /**
     * Counts a retry, for {@link PoolStats#retried()}, and tells the listener.
     *
     * @param key     the host the request is sent to
     * @param method  the request's method, such as {@code "GET"}
     * @param attempt which retry this is: 1 for the first, counting sends after the first
     * @param cause   why the previous attempt failed
     */
    public void recordRetry(PoolKey key, String method, int attempt, Throwable cause) {
        lock.lock();
        try {
            retried++;
        } finally {
            lock.unlock();
        }
        listener.requestRetried(key, method, attempt, cause);
    }

    /**
     * A consistent snapshot of all counts, current and total, for the whole pool.
     *
     * @return the counts at one instant; never {@code null}
     */
    public PoolStats stats() {
        lock.lock();
        try {
            Map<CloseReason, Long> byReason = new EnumMap<>(CloseReason.class);
            for (CloseReason r : CloseReason.values()) {
                byReason.put(r, closedByReason[r.ordinal()]);
            }
            return new PoolStats(counts.open(), counts.of(ConnState.IDLE), counts.of(ConnState.ACTIVE),
                    counts.of(ConnState.CONNECTING), pending, streamsInUse,
                    opened, reused, closedTotal, retried,
                    refusedByReason[RefuseReason.KEEP_ALIVE_DISABLED.ordinal()],
                    refusedByReason[RefuseReason.NOT_REUSABLE.ordinal()],
                    refusedByReason[RefuseReason.TOO_MANY_IDLE_FOR_HOST.ordinal()],
                    refusedByReason[RefuseReason.TOO_MANY_IDLE_TOTAL.ordinal()],
                    refusedByReason[RefuseReason.LIFETIME_EXPIRED.ordinal()],
                    refusedByReason[RefuseReason.CLOSING_IDLE.ordinal()],
                    refusedByReason[RefuseReason.POOL_CLOSED.ordinal()],
                    refusedByReason[RefuseReason.GOAWAY_RECEIVED.ordinal()],
                    byReason);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A consistent snapshot of one host's current counts (open, idle, active, connecting, pending);
     * its totals are zero, as the pool keeps totals for the whole pool only. A host the pool does
     * not track (never seen, or forgotten with no connection and no waiter left) is all zero.
     *
     * @param key the host
     * @return the host's current counts, {@link PoolStats#EMPTY} for a host not tracked; never
     *         {@code null}
     */
    public PoolStats stats(PoolKey key) {
        lock.lock();
        try {
            Host<T> host = hosts.get(key);
            return host == null ? PoolStats.EMPTY : host.statsLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A consistent snapshot, taken at one instant, of the current counts of every host the pool
     * tracks, as in {@link #stats(PoolKey)}. A host with no connection and no waiter is forgotten,
     * so it is absent here.
     *
     * @return an unmodifiable map from each tracked host to its current counts; empty, never
     *         {@code null}, when no host is tracked
     */
    public Map<PoolKey, PoolStats> statsByHost() {
        lock.lock();
        try {
            Map<PoolKey, PoolStats> byHost = new HashMap<>(hosts.size() * 2);
            for (Host<T> host : hosts.values()) {
                byHost.put(host.key, host.statsLocked());
            }
            return Collections.unmodifiableMap(byHost);
        } finally {
            lock.unlock();
        }
    }

    /** Hosts with state; a host with no connection and no waiter is forgotten. For tests. */
    int hostCountForTesting() {
        lock.lock();
        try {
            return hosts.size();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the calling thread holds the pool's lock; for tests that check no callback runs under it. */
    boolean lockHeldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    /**
     * The state of {@code c}, for tests and diagnostics.
     *
     * @param c a connection of this pool
     * @return its state at the moment of the call
     */
    public ConnState stateOf(PooledConnection<T> c) {
        lock.lock();
        try {
            return c.state;
        } finally {
            lock.unlock();
        }
    }

    private void closeAll(List<PooledConnection<T>> dropped) {
        if (dropped != null) {
            for (PooledConnection<T> c : dropped) {
                hooks.close(c.transport());
            }
        }
    }

    /** Why an idle connection may not be leased (or kept) at {@code now}; {@code null} if it is fit. */
    private CloseReason unfitLocked(PooledConnection<T> c, long now) {
        if (!hooks.isOpen(c.transport())) {
            return CloseReason.PEER_CLOSED;
        }
        if (lifetimeOver(c, now)) {
            return CloseReason.LIFETIME_EXPIRED;
        }
        if (now - c.idleDeadlineNanos >= 0) {
            return CloseReason.IDLE_TIMEOUT;
        }
        return null;
    }

    /** Whether {@code c} reached its lifetime; never when no lifetime is set, whatever the clock's origin. */
    private boolean lifetimeOver(PooledConnection<T> c, long now) {
        return maxLifetimeNanos > 0 && now - c.lifetimeDeadlineNanos() >= 0;
    }

    private void leaseLocked(Host<T> host, PooledConnection<T> c, ConnState from) {
        assert c.state == from;
        moveLocked(c, ConnState.ACTIVE);
        c.leases++;
        reused++;
        if (c.multiplexed) {
            c.streams = 1;
            host.streams++;
            streamsInUse++;
            host.shared.add(c);
        }
    }

    /** Takes one stream slot on an active multiplexed connection that has one free. */
    private void takeStreamLocked(Host<T> host, PooledConnection<T> c) {
        assert c.multiplexed && c.state == ConnState.ACTIVE && !c.draining;
        c.streams++;
        host.streams++;
        streamsInUse++;
        c.leases++;
        c.idleNanosBeforeLease = -1;
        reused++;
    }

    /**
     * An active multiplexed connection of the host with a free stream slot, or {@code null}. One
     * found past its lifetime is retired on the way: it takes no new stream and closes when its
     * last one ends.
     */
    private PooledConnection<T> streamSlotLocked(Host<T> host, long now) {
        List<PooledConnection<T>> shared = host.shared;
        for (int i = 0; i < shared.size(); i++) {
            PooledConnection<T> c = shared.get(i);
            if (lifetimeOver(c, now)) {
                drainLocked(host, c, CloseReason.LIFETIME_EXPIRED);
                i--;
            } else if (c.streams < c.maxStreams && hooks.isOpen(c.transport())) {
                return c;
            }
        }
        return null;
    }

    /** The multiplexed connection takes no new stream; it closes when its last stream ends. */
    private void drainLocked(Host<T> host, PooledConnection<T> c, CloseReason reason) {
        c.draining = true;
        c.drainReason = reason;
        host.shared.remove(c);
    }

    /**
     * Serves the host's waiters, oldest first, from free stream slots and then with connect
     * permits while the host has room; stops at a connect that may come up multiplexed, which the
     * rest wait for.
     */
    private void serveWaitersLocked(Host<T> host, long now, Grants<T> grants) {
        serveWaitersLocked(host, now, grants, true);
    }

    /** As above; {@code mayCoalesce} false opens plain permits, none of which the rest wait for. */
    private void serveWaitersLocked(Host<T> host, long now, Grants<T> grants, boolean mayCoalesce) {
        while (!poolClosed && !host.waiters.isEmpty()) {
            PooledConnection<T> c = streamSlotLocked(host, now);
            if (c != null) {
                Waiter<T> w = claimWaiterLocked(host);
                if (w == null) {
                    return;
                }
                takeStreamLocked(host, c);
                grants.hand(w, c);
            } else if (host.coalescingConnect == null && host.hasRoom(config.maxConnectionsPerHost())) {
                Waiter<T> w = claimWaiterLocked(host);
                if (w == null) {
                    return;
                }
                grants.permit(w, newSlotLocked(host, now, mayCoalesce));
            } else {
                return;
            }
        }
    }

    private PooledConnection<T> newSlotLocked(Host<T> host, long now) {
        return newSlotLocked(host, now, true);
    }

    private PooledConnection<T> newSlotLocked(Host<T> host, long now, boolean mayCoalesce) {
        long lifetimeDeadline = 0; // unused when there is no lifetime
        if (maxLifetimeNanos > 0) {
            long jitter = lifetimeJitterNanos > 0 ? ThreadLocalRandom.current().nextLong(lifetimeJitterNanos) : 0;
            lifetimeDeadline = now + maxLifetimeNanos - jitter;
        }
        PooledConnection<T> slot = new PooledConnection<>(host.key, ++nextId, lifetimeDeadline);
        counts.add(ConnState.CONNECTING);
        host.counts.add(ConnState.CONNECTING);
        if (mayCoalesce && hooks.mayMultiplex(host.key)) {
            slot.coalescing = true;
            host.coalescingConnect = slot;
            if (host.shared.isEmpty()) {
                for (Waiter<T> w : host.waiters) {
                    w.coalescedOn = slot; // nothing else can serve them: they share this connect's fate
                }
            }
        }
        return slot;
    }

    private Waiter<T> claimWaiterLocked(Host<T> host) {
        if (host == null) {
            return null;
        }
        Waiter<T> w;
        while ((w = host.waiters.pollFirst()) != null) {
            pending--;
            if (w.tryClaim()) {
                return w;
            }
        }
        return null;
    }

    private List<PooledConnection<T>> drainIdleLocked(CloseReason reason) {
        List<PooledConnection<T>> dropped = new ArrayList<>(lru.size());
        PooledConnection<T> c;
        while ((c = lru.oldest()) != null) {
            removeIdleLocked(c);
            moveLocked(c, ConnState.CLOSING);
            c.closeReason = reason;
            dropped.add(c);
        }
        return dropped;
    }

    private void removeIdleLocked(PooledConnection<T> c) {
        lru.remove(c);
        hosts.get(c.key()).idle.remove(c);
    }

    /** The single place a connection changes state; counts follow. */
    private void moveLocked(PooledConnection<T> c, ConnState to) {
        c.state.checkTransition(to, c);
        counts.move(c.state, to);
        hosts.get(c.key()).counts.move(c.state, to); // a host is kept while it has a connection not CLOSED
        c.state = to;
    }

    private Host<T> hostLocked(PoolKey key) {
        Host<T> host = hosts.get(key);
        if (host == null) {
            host = new Host<>(key);
            hosts.put(key, host);
        }
        return host;
    }

    private void pruneLocked(Host<T> host) {
        if (host.isEmpty()) {
            hosts.remove(host.key);
        }
    }

    /** Per-host state: every field guarded by the pool lock. */
    private static final class Host<T> {
        final PoolKey key;
        final ArrayDeque<PooledConnection<T>> idle = new ArrayDeque<>(); // most recently used first
        final ArrayDeque<Waiter<T>> waiters = new ArrayDeque<>();        // oldest first
        final StateCounts counts = new StateCounts();
        final List<PooledConnection<T>> shared = new ArrayList<>(1);      // active multiplexed connections taking streams
        PooledConnection<T> coalescingConnect;                           // the connect in flight that may come up multiplexed
        int streams;                                                     // stream slots taken on this host's connections

        Host(PoolKey key) {
            this.key = key;
        }

        boolean hasRoom(int maxConnections) {
            return maxConnections == 0 || counts.open() < maxConnections;
        }

        boolean isEmpty() {
            return counts.open() == 0 && waiters.isEmpty() && streams == 0;
        }

        PoolStats statsLocked() {
            return PoolStats.current(counts.open(), counts.of(ConnState.IDLE), counts.of(ConnState.ACTIVE),
                    counts.of(ConnState.CONNECTING), waiters.size(), streams);
        }
    }
}
