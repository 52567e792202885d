package io.keepwell.pool.testing;

import io.keepwell.pool.PoolKey;
import io.keepwell.pool.TransportHooks;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * {@link TransportHooks} over {@link FakeTransport}: {@code isOpen} reads the fake's flag,
 * {@code close} records the transport, closes it, then runs the optional {@code afterClose} action
 * (for example reporting {@code closed} to the pool at once). {@code mayMultiplex} answers
 * {@code false} for every host unless {@link #multiplexing} says otherwise. Thread-safe.
 */
public final class FakeTransportHooks implements TransportHooks<FakeTransport> {

    private final List<FakeTransport> closed = new CopyOnWriteArrayList<>();
    private final Consumer<FakeTransport> afterClose;
    private volatile Predicate<PoolKey> multiplexable = key -> false;

    /** Hooks that only record and close; the test reports the close to the pool. */
    public FakeTransportHooks() {
        this(t -> { });
    }

    public FakeTransportHooks(Consumer<FakeTransport> afterClose) {
        this.afterClose = afterClose;
    }

    @Override
    public boolean isOpen(FakeTransport transport) {
        return transport.isOpen();
    }

    @Override
    public void close(FakeTransport transport) {
        closed.add(transport);
        transport.close();
        afterClose.accept(transport);
    }

    @Override
    public boolean mayMultiplex(PoolKey key) {
        return multiplexable.test(key);
    }

    /** Which hosts a new connection may come up multiplexed to (HTTP/2 offered); none by default. */
    public FakeTransportHooks multiplexing(Predicate<PoolKey> hosts) {
        this.multiplexable = hosts;
        return this;
    }

    /** Every transport the pool asked to close, in order (a transport appears once per request). */
    public List<FakeTransport> closed() {
        return List.copyOf(closed);
    }
}
