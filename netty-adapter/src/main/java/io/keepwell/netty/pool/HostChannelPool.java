package io.keepwell.netty.pool;

import io.keepwell.keepalive.KeepAliveVerdict;
import io.keepwell.netty.handler.ConnectionContext;
import io.keepwell.netty.handler.RequestTrace;
import io.keepwell.pool.OfferVerdict;
import io.keepwell.pool.PoolKey;
import io.netty.channel.Channel;
import io.netty.channel.pool.ChannelPool;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;

/**
 * Netty's {@link ChannelPool} for one host, over the client's single core pool. It holds no
 * channel itself: acquire asks the core pool, and release is the release callback that executes
 * the core pool's verdict, pooling the channel or closing it with everything its pipeline holds.
 */
public final class HostChannelPool implements ChannelPool {

    private final PoolKey key;
    private final ChannelPools pools;

    HostChannelPool(PoolKey key, ChannelPools pools) {
        this.key = key;
        this.pools = pools;
    }

    public PoolKey key() {
        return key;
    }

    @Override
    public Future<Channel> acquire() {
        return acquire(ImmediateEventExecutor.INSTANCE.newPromise());
    }

    /**
     * Completes {@code promise} with a leased channel: an idle one, a new one, or one handed over
     * when released. If the promise is already done when a channel arrives, the channel goes back.
     */
    @Override
    public Future<Channel> acquire(Promise<Channel> promise) {
        return acquire(promise, null);
    }

    /** As {@link #acquire(Promise)}; a connection opened for it tells its steps to {@code trace} (null for none). */
    public Future<Channel> acquire(Promise<Channel> promise, RequestTrace trace) {
        return pools.acquire(key, promise, trace);
    }

    private static final Future<Void> RELEASED = ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);

    /** On the channel's event loop (the reader's end-of-response path) the release is done before this returns. */
    @Override
    public Future<Void> release(Channel channel) {
        if (channel.eventLoop().inEventLoop()) {
            release0(channel, null);
            return RELEASED;
        }
        return release(channel, ImmediateEventExecutor.INSTANCE.newPromise());
    }

    /**
     * Offers the channel to the core pool with the keep-alive verdict of its last exchange. On a
     * refusal the channel is closed, which cancels its idle timer and fails anything pending on
     * it; the promise succeeds either way, since the channel is disposed of.
     */
    @Override
    public Future<Void> release(Channel channel, Promise<Void> promise) {
        if (channel.eventLoop().inEventLoop()) {
            release0(channel, promise);
        } else {
            channel.eventLoop().execute(() -> release0(channel, promise));
        }
        return promise;
    }

    /** Releases a channel that served no exchange since it was leased (its caller went away). */
    public static void releaseUnused(Channel channel) {
        channel.eventLoop().execute(() -> {
            ConnectionContext cx = ConnectionContext.of(channel);
            if (cx.pooled().isMultiplexed()) {
                io.keepwell.netty.http2.Http2ConnectionGuard.releaseSlot(cx, channel); // the stream slot it was handed
                return;
            }
            cx.lastVerdict(KeepAliveVerdict.REUSE);
            cx.markLeased(); // the lease it was handed, which served nothing
            release0(channel, ImmediateEventExecutor.INSTANCE.newPromise());
        });
    }

    private static void release0(Channel channel, Promise<Void> promise) {
        offerOrClose(channel);
        if (promise != null) {
            promise.trySuccess(null);
        }
    }

    /**
     * The release callback's whole work, on the channel's event loop: offers the channel to the
     * core pool with the lease it served and its last keep-alive verdict, then executes the
     * verdict: a refused channel is closed (its close cancels its timers and fails anything
     * pending on it), a pooled one gets its idle-expiry timer. Public for harnesses that run the
     * pipeline without a client (handler tests, benchmarks).
     */
    public static OfferVerdict offerOrClose(Channel channel) {
        ConnectionContext cx = ConnectionContext.of(channel);
        OfferVerdict verdict = cx.core().offer(cx.pooled(), cx.lease(), cx.lastVerdict().reusable(), cx.serverIdleTimeoutNanos());
        if (!verdict.isAccepted()) {
            channel.close();
        } else if (verdict.outcome() == OfferVerdict.Outcome.POOLED) {
            cx.idleTimer().arm(channel);
        }
        return verdict;
    }

    /** Holds nothing of its own; the client's {@code closeAsync()} closes the shared pool. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "HostChannelPool[" + key + "]";
    }
}
