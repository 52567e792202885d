package io.keepwell.netty.pool;

import io.keepwell.netty.handler.RequestTrace;
import io.keepwell.pool.PoolKey;
import io.keepwell.pool.PooledConnection;
import io.keepwell.pool.Waiter;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Promise;

import java.io.IOException;

/** A {@link io.netty.channel.pool.ChannelPool#acquire} call waiting on the core pool. */
final class PromiseWaiter extends Waiter<Channel> {

    private final ChannelPools pools;
    private final Promise<Channel> promise;
    private final RequestTrace trace; // null when nobody listens

    PromiseWaiter(PoolKey key, ChannelPools pools, Promise<Channel> promise, RequestTrace trace) {
        super(key);
        this.pools = pools;
        this.promise = promise;
        this.trace = trace;
    }

    @Override
    protected void onConnection(PooledConnection<Channel> connection) {
        Channel channel = connection.transport();
        // A hand-off is a try: if the caller gave up meanwhile, the connection goes back.
        if (!promise.trySuccess(channel)) {
            HostChannelPool.releaseUnused(channel);
        }
    }

    @Override
    protected void onConnectPermit(PooledConnection<Channel> slot) {
        pools.connect(slot, promise, trace);
    }

    /** Waits at most {@code acquireTimeout}; the timer goes as soon as the promise completes. */
    @Override
    protected void onQueued() {
        java.time.Duration limit = pools.core().config().acquireTimeout();
        io.netty.util.concurrent.ScheduledFuture<?> timer = pools.timers().schedule(() -> {
            if (pools.core().cancel(this)) {
                promise.tryFailure(new io.keepwell.pool.AcquireTimeoutException(key(), limit,
                        pools.core().config().maxConnectionsPerHost()));
            }
        }, limit.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        promise.addListener(f -> {
            timer.cancel(false);
            if (f.isCancelled()) {
                pools.core().cancel(this);
            }
        });
    }

    @Override
    protected void onFailure(IOException cause) {
        promise.tryFailure(cause);
    }
}
