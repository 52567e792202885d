package io.keepwell.bench.jmh;

import io.keepwell.pool.Clock;
import io.keepwell.pool.ConnectionPool;
import io.keepwell.pool.OfferVerdict;
import io.keepwell.pool.PoolConfig;
import io.keepwell.pool.PoolKey;
import io.keepwell.pool.PoolListener;
import io.keepwell.pool.PooledConnection;
import io.keepwell.pool.TransportHooks;
import io.keepwell.pool.Waiter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The core pool's hot path, as every request takes it: lease an idle connection ({@code acquire})
 * and give it back ({@code offer}), one thread alone and four threads on one pool (one lock for all
 * hosts). The transport is a plain object and the hooks do nothing, so only the pool is measured.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PoolBenchmark {

    static final PoolKey KEY = new PoolKey("http", "127.0.0.1", 8080);

    /** Idle connections in the pool before the run: more than the threads, so an acquire always finds one. */
    @Param({"16"})
    int idleConnections;

    ConnectionPool<Object> pool;

    @Setup
    public void setUp() {
        pool = new ConnectionPool<>(PoolConfig.builder().maxIdlePerHost(1024).build(), Clock.system(),
                PoolListener.NOOP, new TrivialHooks());
        List<PooledConnection<Object>> opened = new ArrayList<>();
        for (int i = 0; i < idleConnections; i++) {
            opened.add(connect(pool));
        }
        for (PooledConnection<Object> c : opened) {
            pool.offer(c, true);
        }
    }

    @Benchmark
    @Threads(1)
    public OfferVerdict acquireOfferUncontended() {
        return cycle(pool);
    }

    @Benchmark
    @Threads(4)
    public OfferVerdict acquireOfferContended() {
        return cycle(pool);
    }

    /** One lease and release, with a new waiter as every request has. */
    static OfferVerdict cycle(ConnectionPool<Object> pool) {
        LeaseWaiter w = new LeaseWaiter(KEY);
        pool.acquire(w);
        PooledConnection<Object> c = w.leased;
        if (c == null) {
            c = w.permit; // the idle list was empty at that instant: "connect" one
            pool.connected(c, new Object());
        }
        return pool.offer(c, true);
    }

    /** A new connection, leased. */
    static PooledConnection<Object> connect(ConnectionPool<Object> pool) {
        LeaseWaiter w = new LeaseWaiter(KEY);
        pool.acquire(w);
        if (w.permit == null) {
            throw new IllegalStateException("expected a connect permit");
        }
        pool.connected(w.permit, new Object());
        return w.permit;
    }

    static final class TrivialHooks implements TransportHooks<Object> {
        @Override
        public boolean isOpen(Object transport) {
            return true;
        }

        @Override
        public void close(Object transport) {
        }
    }

    /** Records what the pool answered; the pool answers before {@code acquire} returns here. */
    static final class LeaseWaiter extends Waiter<Object> {
        PooledConnection<Object> leased;
        PooledConnection<Object> permit;

        LeaseWaiter(PoolKey key) {
            super(key);
        }

        @Override
        protected void onConnection(PooledConnection<Object> connection) {
            leased = connection;
        }

        @Override
        protected void onConnectPermit(PooledConnection<Object> slot) {
            permit = slot;
        }

        @Override
        protected void onFailure(IOException cause) {
            throw new IllegalStateException(cause);
        }
    }
}
