package io.keepwell.netty.handler;

import io.keepwell.pool.ConnectionPool;
import io.keepwell.pool.PooledConnection;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * The idle-expiry timer of one channel, on its event loop. It is armed when the channel goes idle
 * and not already armed; when it fires it asks the core pool, which closes the connection if its
 * deadline passed, or says how long to wait. A reuse in between does not cancel it (that would
 * cost a timer per request); the next firing simply finds the connection busy or re-arms. Closing
 * the channel cancels it, so no timer outlives its connection. Event loop only.
 */
public final class IdleTimer implements Runnable {

    private final ConnectionPool<Channel> core;
    private final PooledConnection<Channel> pooled;
    private Channel channel;
    private ScheduledFuture<?> scheduled;

    IdleTimer(ConnectionPool<Channel> core, PooledConnection<Channel> pooled) {
        this.core = core;
        this.pooled = pooled;
    }

    /** The channel just went idle in the pool. */
    public void arm(Channel channel) {
        this.channel = channel;
        if (scheduled == null) {
            schedule(core.expireIfIdle(pooled));
        }
    }

    /** The channel closed. */
    public void cancel() {
        if (scheduled != null) {
            scheduled.cancel(false);
            scheduled = null;
        }
    }

    /** Whether a check is scheduled; for tests. */
    public boolean isArmed() {
        return scheduled != null;
    }

    @Override
    public void run() {
        scheduled = null;
        schedule(core.expireIfIdle(pooled));
    }

    private void schedule(long delayNanos) {
        if (delayNanos > 0 && channel.isOpen()) {
            scheduled = channel.eventLoop().schedule(this, delayNanos, TimeUnit.NANOSECONDS);
        }
    }
}
