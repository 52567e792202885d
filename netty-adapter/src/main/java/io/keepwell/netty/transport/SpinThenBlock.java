package io.keepwell.netty.transport;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.util.IntSupplier;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.netty.util.concurrent.ThreadAwareExecutor;

import java.util.function.Function;

/**
 * How an event loop waits for I/O when it has run out of work: it polls without blocking for up
 * to a short spin, and only then blocks in {@code epoll_wait} (or the selector). A request sent on
 * loopback or in a data centre is often answered within that spin, and a thread that never went to
 * sleep needs no wake-up: measured at one request in flight, the sleep and wake-up per response
 * cost more than the spin (bare Netty: 17,173 req/s and 29.9 CPU µs per request blocking at once,
 * 40,822 req/s and 25.2 µs with a 50 µs spin). A loop with tasks queued never spins, and a task
 * another thread submits during the spin ends it (a spinning loop counts as awake, so Netty writes
 * no wake-up for it); an idle loop spins once after its last event, then blocks as Netty's default
 * strategy does.
 */
final class SpinThenBlock implements SelectStrategy {

    private final long spinNanos;
    private final SingleThreadEventExecutor loop; // null when the executor is not one: then only I/O ends the spin

    private SpinThenBlock(long spinNanos, ThreadAwareExecutor executor) {
        this.spinNanos = spinNanos;
        this.loop = executor instanceof SingleThreadEventExecutor single ? single : null;
    }

    /**
     * The I/O handlers of {@code transport} (Netty's epoll or NIO factory given a select
     * strategy), each loop's strategy spinning for {@code spinNanos} (positive) before blocking.
     */
    static IoHandlerFactory handlers(long spinNanos, Function<SelectStrategyFactory, IoHandlerFactory> transport) {
        if (spinNanos <= 0) {
            throw new IllegalArgumentException("spin must be positive: " + spinNanos);
        }
        return executor -> transport.apply(() -> new SpinThenBlock(spinNanos, executor)).newHandler(executor);
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
        if (hasTasks) {
            return selectNow.get(); // Netty's default: tasks run after a non-blocking poll
        }
        long until = System.nanoTime() + spinNanos;
        do {
            int ready = selectNow.get();
            if (ready > 0) {
                return ready;
            }
            if (loop != null && loop.pendingTasks() > 0) {
                return selectNow.get(); // as with tasks at the start: poll once more, then run them
            }
            Thread.onSpinWait();
        } while (System.nanoTime() - until < 0);
        return SelectStrategy.SELECT;
    }
}
